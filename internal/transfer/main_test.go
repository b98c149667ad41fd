package transfer

import (
	"testing"

	"wanmu/internal/testdb"
)

// TestMain gives the package's tests a PostgreSQL server (see testdb).
func TestMain(m *testing.M) { testdb.Main(m) }
