package exchange

import (
	"errors"
	"fmt"
)

// Error codes carried by Error. They are stable: the HTTP layer maps them to
// problem+json types and status codes.
const (
	// CodeUnsupportedFormat: the file is not one of the formats ListFormats
	// names, or its content does not match its extension.
	CodeUnsupportedFormat = "unsupported_format"
	// CodeUnsafeArchive: a zip entry is an absolute path, climbs out with
	// "..", is a symlink or device, or the archive is a zip bomb.
	CodeUnsafeArchive = "unsafe_archive"
	// CodeTooLarge: the file, the unpacked archive or the feature count is
	// over the limit.
	CodeTooLarge = "too_large"
	// CodeNoCRS: the file has no coordinate system and its coordinates fit
	// none that can be guessed; the caller must name one.
	CodeNoCRS = "no_crs"
	// CodeBadCRSColumn: a CSV's crs column names different CRSs on
	// different rows.
	CodeBadCRSColumn = "bad_crs_column"
	// CodeCorrupt: the file has the right format but cannot be read.
	CodeCorrupt = "corrupt"
	// CodeLayerNotFound: the requested layer is not in the file.
	CodeLayerNotFound = "layer_not_found"
	// CodeEmpty: the file holds no features.
	CodeEmpty = "empty"
	// CodeInvalidOption: an option (CRS, encoding, format, layer name) is not
	// acceptable.
	CodeInvalidOption = "invalid_option"
	// CodeInvalidInput: the layers handed to an export cannot be written as
	// asked (mixed geometry types, text the chosen encoding cannot hold, …).
	CodeInvalidInput = "invalid_input"
	// CodeBadCoordinate: a coordinate of an imported feature is impossible
	// (not a finite number, a latitude beyond ±90° or a longitude beyond
	// ±180° once in EPSG:4490, a Gauss-Kruger coordinate outside the
	// projection); Error.Feature names the feature.
	CodeBadCoordinate = "bad_coordinate"
	// CodeOutsideRegion: a feature, read in the file's (or the named) CRS,
	// lies hundreds of kilometres from 丽水; the CRS is wrong. Error.Feature
	// names the feature.
	CodeOutsideRegion = "outside_region"
	// CodeChooseLayer: the file holds several polygon layers and none was
	// named; Error.Layers lists them for the planner to choose from.
	CodeChooseLayer = "choose_layer"
	// CodeGDAL: GDAL is missing or failed in a way that is not the file's
	// fault; an internal error.
	CodeGDAL = "gdal_failed"
)

// Error is an import or export failure a planner can act on. Code is one of
// the Code constants; Message says in Chinese what is wrong and what to do,
// English says the same in English.
type Error struct {
	Code    string
	Message string
	English string
	// Feature is the 1-based number of the feature of the file the error is
	// about, or 0 when it is not about one feature.
	Feature int
	// Layers lists the file's layers when the error is about choosing one
	// (CodeChooseLayer, CodeLayerNotFound), so that a client can offer them.
	Layers []LayerInfo
	Err    error // underlying cause, if any
}

// Error returns the code and both messages.
func (e *Error) Error() string {
	s := "exchange: " + e.Code + ": " + e.Message
	if e.English != "" {
		s += " (" + e.English + ")"
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, exchange.ErrUnsafeArchive) works.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code
}

// Sentinels for errors.Is; compare codes, not messages.
var (
	// ErrUnsupportedFormat matches errors with CodeUnsupportedFormat.
	ErrUnsupportedFormat = &Error{Code: CodeUnsupportedFormat}
	// ErrUnsafeArchive matches errors with CodeUnsafeArchive.
	ErrUnsafeArchive = &Error{Code: CodeUnsafeArchive}
	// ErrTooLarge matches errors with CodeTooLarge.
	ErrTooLarge = &Error{Code: CodeTooLarge}
	// ErrNoCRS matches errors with CodeNoCRS.
	ErrNoCRS = &Error{Code: CodeNoCRS}
	// ErrCorrupt matches errors with CodeCorrupt.
	ErrCorrupt = &Error{Code: CodeCorrupt}
	// ErrLayerNotFound matches errors with CodeLayerNotFound.
	ErrLayerNotFound = &Error{Code: CodeLayerNotFound}
	// ErrEmpty matches errors with CodeEmpty.
	ErrEmpty = &Error{Code: CodeEmpty}
	// ErrInvalidOption matches errors with CodeInvalidOption.
	ErrInvalidOption = &Error{Code: CodeInvalidOption}
	// ErrInvalidInput matches errors with CodeInvalidInput.
	ErrInvalidInput = &Error{Code: CodeInvalidInput}
	// ErrBadCoordinate matches errors with CodeBadCoordinate.
	ErrBadCoordinate = &Error{Code: CodeBadCoordinate}
	// ErrOutsideRegion matches errors with CodeOutsideRegion.
	ErrOutsideRegion = &Error{Code: CodeOutsideRegion}
	// ErrChooseLayer matches errors with CodeChooseLayer.
	ErrChooseLayer = &Error{Code: CodeChooseLayer}
	// ErrGDAL matches errors with CodeGDAL.
	ErrGDAL = &Error{Code: CodeGDAL}
)

// CodeOf returns the Code of the *Error in err's chain, or "" if there is none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// newError builds an *Error; zh and en are the Chinese and English messages.
func newError(code, zh, en string) *Error {
	return &Error{Code: code, Message: zh, English: en}
}

// errorf builds an *Error with formatted messages sharing the same args.
func errorf(code, zh, en string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(zh, args...), English: fmt.Sprintf(en, args...)}
}
