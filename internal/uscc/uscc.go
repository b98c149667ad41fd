// Package uscc checks 统一社会信用代码 (unified social credit codes, GB
// 32100-2015): 18 characters — the registering authority, the kind of
// organisation, the 6-digit division code where it registered, the 9-character
// organisation code, and a check character over the first 17.
package uscc

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Alphabet is the code's 31 characters in the order of their values 0–30
// (no I, O, S, V, Z, which are read as digits).
const Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// weights of positions 1–17: 3^(i-1) mod 31.
var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Normalise trims spaces and turns lower case and full-width characters
// (as typed in a Chinese spreadsheet) into the code's plain characters.
func Normalise(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			r -= 0xFEE0
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CheckChar is the check character of the first 17 characters of a code.
func CheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("need 17 characters, not %d", utf8.RuneCountInString(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(Alphabet, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("character %d (%q) is not one of %s", i+1, first17[i], Alphabet)
		}
		sum += v * weights[i]
	}
	return Alphabet[(31-sum%31)%31], nil
}

// Check says what is wrong with a code (already normalised), or nil. The
// messages are English; CheckZH gives the same in Chinese.
func Check(code string) error {
	zh, en := check(code)
	if en == "" {
		return nil
	}
	return &Error{Code: code, ZH: zh, EN: en}
}

// Error is a code that is not a valid 统一社会信用代码.
type Error struct {
	Code   string
	ZH, EN string
}

func (e *Error) Error() string { return e.EN }

func check(code string) (zh, en string) {
	n := utf8.RuneCountInString(code)
	if n != 18 {
		return fmt.Sprintf("统一社会信用代码应为 18 位，这里是 %d 位", n),
			fmt.Sprintf("a credit code has 18 characters, this one %d", n)
	}
	for i, c := range []rune(code) {
		if c >= utf8.RuneSelf || strings.IndexByte(Alphabet, byte(c)) < 0 {
			return fmt.Sprintf("第 %d 位“%c”不是统一社会信用代码的字符（数字或除 I O S V Z 外的大写字母）", i+1, c),
				fmt.Sprintf("character %d (%q) is not one of the code's characters (digits, capitals but I O S V Z)", i+1, c)
		}
		if i >= 2 && i < 8 && (c < '0' || c > '9') {
			return fmt.Sprintf("第 3–8 位是行政区划代码，应为数字，第 %d 位是“%c”", i+1, c),
				fmt.Sprintf("characters 3–8 are a division code and must be digits; character %d is %q", i+1, c)
		}
	}
	want, _ := CheckChar(code[:17])
	if code[17] != want {
		return fmt.Sprintf("校验位不符：第 18 位是“%c”，按 GB 32100-2015 应为“%c”（代码可能抄错）", code[17], want),
			fmt.Sprintf("the check character is %q, GB 32100-2015 gives %q for the first 17 (a typo?)", code[17], want)
	}
	return "", ""
}
