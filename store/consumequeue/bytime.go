package consumequeue

import "github.com/rocketgo/rocketgo/store/mappedfile"

// StoreTimeFunc returns the store timestamp of the commitlog record at phys
// of size bytes, or a negative value when it cannot be read (Java
// CommitLog.pickupStoreTimestamp).
type StoreTimeFunc func(phys int64, size int32) int64

// OffsetByTime is Java 4.9.7's ConsumeQueue.getOffsetInQueueByTime, quirks
// included, because clients (consumers starting from a timestamp, admin
// offset resets) see its answers:
//
//   - Only one file is searched: the oldest whose modification time is at or
//     after ts, else the newest (MappedFileQueue.getMappedFileByTime). A ts
//     between two files' messages can therefore answer with the first entry
//     of the later file even when the earlier file's last entry is closer.
//   - Within it, a binary search over the written entries from the queue's
//     minimum on; entries whose record lies below minPhys (deleted
//     commitlog) count as "earlier" without a time.
//   - An exact store time match answers that entry (for equal times,
//     whichever the search probes first). Otherwise the entry with the
//     nearer time on either side, the earlier one on a tie; only a later
//     neighbour: it; only an earlier one: it — so a ts after the last
//     message answers the last entry, not the max offset.
//   - A record whose time cannot be read ends the search with 0, as does a
//     queue without files or an empty file.
//   - When every probed entry lay below minPhys the byte position is -1 and
//     Java's (fileStart - 1) / 20 is returned (Go divides the same way).
func (q *Queue) OffsetByTime(ts, minPhys int64, storeTime StoreTimeFunc) int64 {
	f := q.fileByTime(ts)
	if f == nil || !f.Hold() {
		return 0
	}
	defer f.Release()
	wrote := f.Wrote()
	if wrote <= 0 {
		return 0 // Java selects nothing from an empty file
	}
	data := f.Bytes()[:wrote]
	low := 0
	if ml := q.minLogic.Load(); ml > f.Start() {
		low = int(ml - f.Start())
	}
	high := wrote - UnitSize
	target, left, right := -1, -1, -1
	leftTime, rightTime := int64(-1), int64(-1)
	for high >= low {
		mid := (low + high) / (2 * UnitSize) * UnitSize
		e := decode(data[mid:])
		if e.Offset < minPhys {
			low = mid + UnitSize
			left = mid
			continue
		}
		t := storeTime(e.Offset, e.Size)
		switch {
		case t < 0:
			return 0
		case t == ts:
			target = mid
		case t > ts:
			high = mid - UnitSize
			right, rightTime = mid, t
		default:
			low = mid + UnitSize
			left, leftTime = mid, t
		}
		if target >= 0 {
			break
		}
	}
	pos := target
	if pos < 0 {
		switch {
		case leftTime == -1:
			pos = right
		case rightTime == -1:
			pos = left
		case abs(ts-leftTime) > abs(ts-rightTime):
			pos = right
		default:
			pos = left
		}
	}
	return (f.Start() + int64(pos)) / UnitSize
}

// fileByTime is Java getMappedFileByTime: the first file modified at or
// after ts (milliseconds), else the last; nil without files. A file whose
// time cannot be read counts as modified at 0, as Java's File.lastModified
// reports then.
func (q *Queue) fileByTime(ts int64) *mappedfile.File {
	fs := q.files.Files()
	if len(fs) == 0 {
		return nil
	}
	for _, f := range fs {
		var ms int64
		if mt, err := f.ModTime(); err == nil {
			ms = mt.UnixMilli()
		}
		if ms >= ts {
			return f
		}
	}
	return fs[len(fs)-1]
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
