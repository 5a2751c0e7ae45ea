package transaction

import (
	"testing"

	"github.com/rocketgo/rocketgo/store"
)

// TestNextOpOffset: the op offset advances only over the run of done op
// records starting at it (calculateOpOffset).
func TestNextOpOffset(t *testing.T) {
	for _, tc := range []struct {
		name string
		done []int64
		from int64
		want int64
	}{
		{"nothing done", nil, 4, 4},
		{"contiguous", []int64{4, 5, 6}, 4, 7},
		{"unsorted", []int64{6, 4, 5}, 4, 7},
		{"gap", []int64{4, 6}, 4, 5},
		{"not starting at from", []int64{5, 6}, 4, 4},
		{"duplicate stops", []int64{4, 4, 5}, 4, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextOpOffset(tc.done, tc.from); got != tc.want {
				t.Fatalf("nextOpOffset(%v, %d) = %d, want %d", tc.done, tc.from, got, tc.want)
			}
		})
	}
}

// TestImmunityAndNumbers: CHECK_IMMUNITY_TIME_IN_SECONDS is seconds, an
// unreadable value (or -1) means the timeout; Java's getLong/getInt give
// -1 for what does not parse.
func TestImmunityAndNumbers(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want int64
	}{{"30", 30000}, {"0", 0}, {"-1", 6000}, {"x", 6000}, {"", 6000}, {" 5", 6000}} {
		if got := immunityMillis(tc.v, 6000); got != tc.want {
			t.Errorf("immunityMillis(%q) = %d, want %d", tc.v, got, tc.want)
		}
	}
	if parseInt("99999999999") != -1 || parseInt("7") != 7 || parseLong("12a") != -1 {
		t.Fatal("parseInt/parseLong do not follow Java's getInt/getLong")
	}
}

// TestStatusOf: store statuses map to the pull statuses Java's bridge
// reports (TransactionalMessageBridge.getMessage).
func TestStatusOf(t *testing.T) {
	want := map[store.GetStatus]pullStatus{
		store.Found: pullFound, store.NoMatchedMessage: pullNoMatchedMsg,
		store.NoMessageInQueue: pullNoNewMsg, store.OffsetOverflowOne: pullNoNewMsg,
		store.MessageWasRemoving: pullOffsetIllegal, store.NoMatchedLogicQueue: pullOffsetIllegal,
		store.OffsetFoundNull: pullOffsetIllegal, store.OffsetOverflowBadly: pullOffsetIllegal,
		store.OffsetTooSmall: pullOffsetIllegal,
	}
	for st, w := range want {
		if got := statusOf(st); got != w {
			t.Errorf("statusOf(%v) = %d, want %d", st, got, w)
		}
	}
}
