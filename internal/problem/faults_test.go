package problem

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
)

// TestFromFaults: a full disk is 507 and a file's error a 500, never a
// database outage; a connection's errors are 503.
func TestFromFaults(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("write upload: %w", &fs.PathError{Op: "write", Path: "/tmp/x", Err: syscall.ENOSPC}), http.StatusInsufficientStorage},
		{fmt.Errorf("open: %w", &fs.PathError{Op: "open", Path: "/tmp/x", Err: syscall.ENOENT}), http.StatusInternalServerError},
		{fmt.Errorf("open: %w", os.ErrPermission), http.StatusInternalServerError},
		{syscall.EACCES, http.StatusInternalServerError},
		{fmt.Errorf("query: %w", &net.OpError{Op: "read", Net: "unix", Err: syscall.ECONNRESET}), http.StatusServiceUnavailable},
		{fmt.Errorf("query: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.EHOSTUNREACH}), http.StatusServiceUnavailable},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), http.StatusServiceUnavailable},
	} {
		if got := From(ctx, nil, c.err).Status; got != c.want {
			t.Errorf("%v: %d, want %d", c.err, got, c.want)
		}
	}
}
