package store_test

import (
	"testing"

	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }
