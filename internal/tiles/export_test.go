package tiles

// CompareEncodings is compareEncodings for the external tests.
var CompareEncodings = compareEncodings
