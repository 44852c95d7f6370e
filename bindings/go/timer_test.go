// SPDX-License-Identifier: MIT

package aionl

import (
	"testing"
	"time"
)

func TestTimerFires(t *testing.T) {
	c := openCtx(t, nil)
	start := time.Now()
	tm, err := c.NewTimer(5 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	at := <-tm.C
	if at.Before(start) {
		t.Errorf("the timer's time %v is before it was armed (%v)", at, start)
	}
	if tm.Stop() {
		t.Errorf("Stop after the timer fired returned true")
	}
	// Zero and negative durations fire at once, as time.NewTimer's do.
	for _, d := range []time.Duration{0, -time.Second} {
		tm, err := c.NewTimer(d)
		if err != nil {
			t.Fatal(err)
		}
		<-tm.C
	}
}

// Once Stop returns true, nothing is sent: Stop waits for the library's
// word, so the check needs no waiting.
func TestTimerStop(t *testing.T) {
	c := openCtx(t, nil)
	for i := 0; i < 50; i++ {
		tm, err := c.NewTimer(time.Duration(i%3) * time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if tm.Stop() {
			select {
			case v := <-tm.C:
				t.Fatalf("a timer Stop stopped sent %v", v)
			default:
			}
		} else {
			<-tm.C // it fired: its time is there
		}
		if tm.Stop() {
			t.Fatalf("second Stop returned true")
		}
	}
	tm, _ := c.NewTimer(time.Hour)
	if !tm.Stop() {
		t.Fatalf("Stop of an armed hour-long timer returned false")
	}
}

func TestTimerReset(t *testing.T) {
	c := openCtx(t, nil)
	tm, err := c.NewTimer(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !tm.Reset(time.Millisecond) {
		t.Errorf("Reset of an armed timer returned false")
	}
	<-tm.C
	if tm.Reset(time.Millisecond) {
		t.Errorf("Reset of an expired timer returned true")
	}
	<-tm.C
}

func TestTicker(t *testing.T) {
	c := openCtx(t, nil)
	if _, err := c.NewTicker(0); err == nil {
		t.Fatalf("NewTicker(0) succeeded")
	}
	const period = 2 * time.Millisecond
	start := time.Now()
	tk, err := c.NewTicker(period)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for i := 0; i < 3; i++ {
		k := <-tk.C
		if k.Count < 1 {
			t.Fatalf("a tick stands for %d expirations", k.Count)
		}
		total += k.Count
	}
	// A slow reader: one value on C, counting what it missed. The engine
	// counts expirations from its clock, so once it runs after the
	// reader stopped reading for several periods, a tick stands for more
	// than one; on a loaded machine that may take more than one round.
	merged := false
	for round := 0; round < 20 && !merged; round++ {
		for len(tk.C) == 0 {
			time.Sleep(period)
		}
		time.Sleep(10 * period)
		if len(tk.C) > 1 {
			t.Fatalf("%d ticks queued on C", len(tk.C))
		}
		k := <-tk.C
		total += k.Count
		merged = k.Count > 1
	}
	if !merged {
		t.Errorf("no tick stood for more than one expiration in 20 slow reads")
	}
	tk.Stop()
	select {
	case k := <-tk.C:
		total += k.Count
	default:
	}
	// No expiration is invented: there cannot be more than the periods
	// that passed.
	if limit := int64(time.Since(start)/period) + 1; total > limit {
		t.Errorf("the ticks count %d expirations in %d periods", total, limit-1)
	}
	select {
	case k := <-tk.C:
		t.Errorf("a tick after Stop returned: %+v", k)
	default:
	}
	if err := tk.Reset(period); err != nil {
		t.Fatal(err)
	}
	<-tk.C
	tk.Stop()
}
