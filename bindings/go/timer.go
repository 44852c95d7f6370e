// SPDX-License-Identifier: MIT

package aionl

import (
	"sync"
	"syscall"
	"time"
)

// Timer is a one-shot timer on the Ctx's socket, shaped like time.Timer:
// when it expires, the current time is sent on C. It runs on
// CLOCK_MONOTONIC in the library's engine, and costs no goroutine and no
// Go runtime timer while armed.
type Timer struct {
	C <-chan time.Time

	c   chan time.Time
	ctx *Ctx
	mu  sync.Mutex
	cur *arming
}

// arming is one submission of a timer or ticker.
type arming struct {
	cookie uint64
	done   chan struct{} // closed at its last completion
	fired  bool          // a one-shot timer: it expired (set before done closes)
	err    error         // it ended with an error, not by expiring or by Stop
}

// NewTimer arms a Timer that sends the time on its channel after at least
// d. It fails only if the Ctx is closed or the library refuses the timer.
func (c *Ctx) NewTimer(d time.Duration) (*Timer, error) {
	ch := make(chan time.Time, 1)
	t := &Timer{C: ch, c: ch, ctx: c}
	if err := t.arm(d); err != nil {
		return nil, err
	}
	return t, nil
}

func durationNS(d time.Duration) uint64 {
	if d < 0 {
		return 0
	}
	if int64(d) > maxNS {
		return uint64(maxNS)
	}
	return uint64(d)
}

// arm submits the timer and waits until the library has taken it, so that
// a refusal is NewTimer's or Reset's error.
func (t *Timer) arm(d time.Duration) error {
	a, err := t.ctx.armTimer(durationNS(d), 0, func(a *arming, res int64, final bool) {
		if final && res > 0 {
			a.fired = true
			select {
			case t.c <- time.Now():
			default:
			}
		}
	})
	if err != nil {
		return err
	}
	t.cur = a
	return nil
}

// armTimer submits a timer request whose completions go to on (in the
// reaper: it must not block), and returns once the library took it.
func (c *Ctx) armTimer(valueNS, intervalNS uint64, on func(a *arming, res int64, final bool)) (*arming, error) {
	o, err := c.newOp(nil, false)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, errClosed("timer", "", "Ctx")
	}
	a := &arming{cookie: o.cookie, done: make(chan struct{})}
	o.on = func(res int64, flags uint32, final bool) {
		on(a, res, final)
		if final {
			if res < 0 && res != -int64(syscall.ECANCELED) {
				o.res, o.flags = res, flags
				a.err = opError("timer", "", o)
			}
			close(a.done)
		}
	}
	o.accepted = make(chan struct{})
	o.req.setTimer(valueNS, intervalNS, o.cookie)
	accepted := o.accepted
	c.submit(o)
	<-accepted
	select {
	case <-a.done:
		if a.err != nil {
			return nil, a.err
		}
		if c.isClosed() && !a.fired {
			return nil, errClosed("timer", "", "Ctx")
		}
	default:
	}
	return a, nil
}

// stop cancels the arming and waits for its last completion.
func (c *Ctx) stopArming(a *arming) {
	select {
	case <-a.done:
		return
	default:
	}
	c.cancel(a.cookie, 0)
	<-a.done
}

// Stop prevents the Timer from firing. It returns true if the call stops
// the timer, false if the timer had already expired (its time is then on
// C, or was received) or been stopped. Like time.Timer's, Stop does not
// drain C. Unlike it, Stop waits for the library to confirm: once it
// returns true, nothing will be sent on C.
func (t *Timer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stop()
}

func (t *Timer) stop() bool {
	a := t.cur
	if a == nil {
		return false
	}
	select {
	case <-a.done:
		return false
	default:
	}
	t.ctx.stopArming(a)
	return !a.fired && a.err == nil
}

// Reset stops the Timer and arms it again to expire after d. It returns
// true if the timer had been active, as time.Timer's Reset does; as there,
// a value already sent on C stays there unless the caller drains it. After
// the Ctx is closed the timer is not armed again.
func (t *Timer) Reset(d time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	active := t.stop()
	t.cur = nil
	_ = t.arm(d)
	return active
}

// Tick is what a Ticker sends: the time the tick was handed out, and how
// many periods it stands for. Count is 1 when the reader keeps up; a slow
// reader gets one Tick whose Count adds up every expiration it missed,
// never a queue of stale ticks, and no expiration is lost.
type Tick struct {
	Time  time.Time
	Count int64
}

// Ticker is a periodic timer on the Ctx's socket, shaped like time.Ticker.
type Ticker struct {
	C <-chan Tick

	c   chan Tick
	ctx *Ctx
	mu  sync.Mutex
	cur *arming
}

// NewTicker arms a Ticker that ticks every d, the first time after d.
// d must be positive.
func (c *Ctx) NewTicker(d time.Duration) (*Ticker, error) {
	if d <= 0 {
		return nil, errInvalid("timer", "", "non-positive interval for NewTicker")
	}
	ch := make(chan Tick, 1)
	t := &Ticker{C: ch, c: ch, ctx: c}
	if err := t.arm(d); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Ticker) arm(d time.Duration) error {
	ns := durationNS(d)
	a, err := t.ctx.armTimer(ns, ns, func(a *arming, res int64, final bool) {
		if res > 0 {
			t.send(Tick{Time: time.Now(), Count: res})
		}
	})
	if err != nil {
		return err
	}
	t.cur = a
	return nil
}

// send runs in the reaper, the only sender: a tick that finds the previous
// one unread takes it back and adds it up.
func (t *Ticker) send(k Tick) {
	select {
	case t.c <- k:
		return
	default:
	}
	select {
	case old := <-t.c:
		k.Count += old.Count
	default:
	}
	t.c <- k // room: nobody else sends
}

// Stop turns the Ticker off; once it returns, no more ticks are sent.
// It does not drain C.
func (t *Ticker) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur != nil {
		t.ctx.stopArming(t.cur)
	}
}

// Reset stops the Ticker and starts it again with period d (positive).
func (t *Ticker) Reset(d time.Duration) error {
	if d <= 0 {
		return errInvalid("timer", "", "non-positive interval for Ticker.Reset")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur != nil {
		t.ctx.stopArming(t.cur)
		t.cur = nil
	}
	return t.arm(d)
}
