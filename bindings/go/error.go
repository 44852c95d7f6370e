// SPDX-License-Identifier: MIT

package aionl

import (
	"errors"
	"os"
	"syscall"
)

// Error is the error of every failed operation: the operation, the file it
// named if any, the errno, and the library's own explanation when it gave
// one. errors.Is(err, syscall.ENOENT) (or fs.ErrNotExist, and so on) works
// through Unwrap, which returns Errno.
type Error struct {
	Op    string        // "open", "register", "read", "write", "fsync", "poll", "timer", ...
	Path  string        // the file's name, when the operation is on a File
	Errno syscall.Errno // the errno the library or the completion reported
	Msg   string        // aionl_error_message() of the failed call; "" for a completion's error

	closed bool // the File or the Ctx was closed: matches os.ErrClosed
}

func (e *Error) Error() string {
	s := "aionl " + e.Op
	if e.Path != "" {
		s += " " + e.Path
	}
	if e.Msg != "" {
		return s + ": " + e.Msg
	}
	return s + ": " + e.Errno.Error()
}

// Unwrap returns the errno, so that errors.Is and errors.As see it.
func (e *Error) Unwrap() error { return e.Errno }

// Is reports whether the error is os.ErrClosed: the operation failed, or
// was cancelled before it ran, because its File or Ctx was closed.
func (e *Error) Is(target error) bool { return e.closed && target == os.ErrClosed }

// Timeout reports whether the error is a timeout (ETIMEDOUT and friends).
func (e *Error) Timeout() bool { return e.Errno.Timeout() }

// errClosed is the error of an operation on a closed File or Ctx.
func errClosed(op, path, what string) error {
	return &Error{Op: op, Path: path, Errno: syscall.EBADF, Msg: what + " already closed", closed: true}
}

var errNegativeOffset = errors.New("negative offset")

func errInvalid(op, path, msg string) error {
	return &Error{Op: op, Path: path, Errno: syscall.EINVAL, Msg: msg}
}
