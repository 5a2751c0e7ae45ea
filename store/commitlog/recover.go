package commitlog

import (
	"errors"
	"fmt"

	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// Recovery is what Recover found.
type Recovery struct {
	// End is the offset just past the last valid record; everything after
	// it was truncated.
	End int64
	// RedispatchFrom is where consume queues and index must be rebuilt from:
	// the start of the walk after an abnormal exit, -1 after a clean one.
	RedispatchFrom int64
	// Records is the number of valid records walked.
	Records int
}

// Recover finds the end of valid data and truncates everything after it,
// as Java's CommitLog.recoverNormally (clean exit: walk from the third-last
// file) and recoverAbnormally (abort file present: walk from the newest file
// whose first record was stored at or before minTimestamp, the checkpoint's
// safe point, and have everything from there re-dispatched). Records are
// validated as checkMessageAndReturnSize does, with the CRC when checkCRC.
func (c *CommitLog) Recover(abnormal bool, minTimestamp int64, checkCRC bool) (Recovery, error) {
	fs := c.files.Files()
	if len(fs) == 0 {
		return Recovery{End: 0, RedispatchFrom: -1}, nil
	}
	start := len(fs) - 3
	if start < 0 {
		start = 0
	}
	if abnormal {
		start = 0
		for i := len(fs) - 1; i >= 0; i-- {
			var r message.Record
			if err := r.Decode(fs[i].Bytes(), false); err == nil && r.Kind == message.KindMessage &&
				r.StoreTimestamp != 0 && r.StoreTimestamp <= minTimestamp {
				start = i
				break
			}
		}
	}
	rec := Recovery{End: fs[start].Start(), RedispatchFrom: -1}
	if abnormal {
		rec.RedispatchFrom = fs[start].Start()
	}
	for i := start; i < len(fs); i++ {
		f := fs[i]
		sc := message.NewScanner(f.Bytes(), f.Start(), checkCRC)
		for sc.Next() {
			if sc.Record().Kind == message.KindMessage {
				rec.Records++
			}
		}
		rec.End = sc.Offset()
		if err := sc.Err(); err != nil && !errors.Is(err, message.ErrEndOfData) {
			c.log.WithFields(logrus.Fields{"file": f.Name(), "offset": sc.Offset()}).WithError(err).
				Warn("commitlog recovery stops at an invalid record")
			break
		}
		if !sc.SawBlank() {
			break // data ends inside this file
		}
		// A BLANK ends the file; valid data continues in the next one.
		rec.End = f.Start() + int64(f.Size())
	}
	if err := c.files.TruncateTo(rec.End); err != nil {
		return rec, fmt.Errorf("recover commitlog: %w", err)
	}
	for _, f := range c.files.Files() {
		f.SetFlushed(f.Wrote())
	}
	c.log.WithFields(logrus.Fields{"end": rec.End, "records": rec.Records, "abnormal": abnormal}).Info("commitlog recovered")
	return rec, nil
}
