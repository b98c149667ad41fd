package api

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

func encodeWKB(g orb.Geometry) ([]byte, error) { return wkb.Marshal(g) }
