// SPDX-License-Identifier: MIT

package aionl

import "testing"

// The user engine serves every command of the library's protocol; the
// module too unless its hide_cmds parameter hides some (C's
// tests/kernel/supports.c).
func TestSupportsEveryCommand(t *testing.T) {
	c := openCtx(t, nil)
	for _, op := range []string{"get_info", "register", "unregister", "read", "write", "readv",
		"writev", "fsync", "fdatasync", "nop", "timer", "timer_update", "poll", "signal",
		"cancel", "open", "install", "bind", "fallocate", "statx", "copy", "READ", "Open"} {
		if !c.Supports(op) {
			t.Errorf("Supports(%q) = false", op)
		}
	}
}

func TestSupportsNoOtherName(t *testing.T) {
	c := openCtx(t, nil)
	// completion is a command only servers send.
	for _, op := range []string{"", "completion", "frobnicate", "read ", "statx_of_the_future"} {
		if c.Supports(op) {
			t.Errorf("Supports(%q) = true", op)
		}
	}
}

func TestSupportsAfterClose(t *testing.T) {
	c, err := Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !c.Supports("read") {
		t.Error("Supports(\"read\") = false after Close: what the server served does not change")
	}
}
