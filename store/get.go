package store

import (
	"syscall"

	"github.com/rocketgo/rocketgo/store/commitlog"
)

// GetStatus is Java's GetMessageStatus.
type GetStatus int

const (
	Found GetStatus = iota
	NoMatchedMessage
	MessageWasRemoving
	OffsetFoundNull
	OffsetOverflowBadly
	OffsetOverflowOne
	OffsetTooSmall
	NoMatchedLogicQueue
	NoMessageInQueue
)

var getStatusNames = [...]string{"FOUND", "NO_MATCHED_MESSAGE", "MESSAGE_WAS_REMOVING", "OFFSET_FOUND_NULL",
	"OFFSET_OVERFLOW_BADLY", "OFFSET_OVERFLOW_ONE", "OFFSET_TOO_SMALL", "NO_MATCHED_LOGIC_QUEUE", "NO_MESSAGE_IN_QUEUE"}

func (s GetStatus) String() string { return getStatusNames[s] }

// Transfer limits of one pull (Java maxTransfer{Bytes,Count}OnMessageIn{Memory,Disk}).
const (
	maxTransferBytesInMemory = 256 * 1024
	maxTransferCountInMemory = 32
	maxTransferBytesOnDisk   = 64 * 1024
	maxTransferCountOnDisk   = 8
)

// GetResult is what GetMessage found. Messages hold their files mapped:
// call Release once the bytes are written out.
type GetResult struct {
	Status          GetStatus
	NextBeginOffset int64
	MinOffset       int64
	MaxOffset       int64
	Messages        []commitlog.View
	Bytes           int
	// SuggestSlave: the reader is further behind the commitlog end than
	// accessMessageInMemoryMaxRatio of RAM (Java suggestPullingFromSlave).
	SuggestSlave bool
}

// Release releases every message view.
func (r *GetResult) Release() {
	for _, v := range r.Messages {
		v.Release()
	}
	clear(r.Messages)
	r.Messages = r.Messages[:0]
}

// TagFilter says whether a consume queue entry's tags code is wanted; nil
// takes everything.
type TagFilter func(tagsCode int64) bool

// totalMemory is the machine's RAM (Java StoreUtil.TOTAL_PHYSICAL_MEMORY_SIZE).
func totalMemory() int64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 8 << 30
	}
	return int64(si.Totalram) * int64(si.Unit)
}

// GetMessage reads up to maxNums records of (topic, queueID) from offset,
// as Java's DefaultMessageStore.getMessage on a master: the same statuses,
// next offsets, filter-scan bound (max(16000, 20·maxNums) entries, within
// one consume-queue file) and transfer limits. dst is reused for the
// result's Messages.
func (s *Store) GetMessage(topic string, queueID int32, offset int64, maxNums int, filter TagFilter, dst []commitlog.View) GetResult {
	return s.getMessage(topic, queueID, offset, maxNums, filter, nil, dst)
}

// getMessage is GetMessage with an optional record filter (see
// GetMessageFiltered).
func (s *Store) getMessage(topic string, queueID int32, offset int64, maxNums int, filter TagFilter, recs RecordFilter, dst []commitlog.View) GetResult {
	res := GetResult{Status: NoMessageInQueue, NextBeginOffset: offset, Messages: dst[:0]}
	maxPhys := s.cl.MaxOffset()
	q := s.queue(topic, queueID, false)
	if q == nil {
		res.Status = NoMatchedLogicQueue
		res.NextBeginOffset = 0
		return res
	}
	res.MinOffset, res.MaxOffset = q.MinOffset(), q.MaxOffset()
	switch {
	case res.MaxOffset == 0:
		res.Status, res.NextBeginOffset = NoMessageInQueue, 0
		return res
	case offset < res.MinOffset:
		res.Status, res.NextBeginOffset = OffsetTooSmall, res.MinOffset
		return res
	case offset == res.MaxOffset:
		res.Status = OffsetOverflowOne
		return res
	case offset > res.MaxOffset:
		res.Status, res.NextBeginOffset = OffsetOverflowBadly, res.MaxOffset
		return res
	}
	w, ok := q.Window(offset)
	if !ok {
		res.Status, res.NextBeginOffset = OffsetFoundNull, q.NextFileIndex(offset)
		return res
	}
	defer w.Release()
	res.Status = NoMatchedMessage
	memory := s.memory * int64(s.memoryRatio()) / 100
	limit := max(16000, maxNums*20) / 20
	nextFile := int64(-1)
	maxPulling := int64(0)
	i := 0
	for ; i < w.Len() && i < limit; i++ {
		e := w.At(i)
		maxPulling = e.Offset
		if nextFile >= 0 && e.Offset < nextFile {
			continue
		}
		if batchFull(int(e.Size), maxNums, res.Bytes, len(res.Messages), maxPhys-e.Offset > memory) {
			break
		}
		if filter != nil && !filter(e.TagsCode) {
			continue
		}
		v, ok := s.cl.Read(e.Offset, int(e.Size))
		if !ok {
			if res.Bytes == 0 {
				res.Status = MessageWasRemoving
			}
			nextFile = s.cl.NextFileStart(e.Offset)
			continue
		}
		if recs != nil && !recs(v.Bytes) {
			v.Release()
			if res.Bytes == 0 {
				res.Status = NoMatchedMessage
			}
			continue
		}
		res.Messages = append(res.Messages, v)
		res.Bytes += len(v.Bytes)
		res.Status = Found
		nextFile = -1
	}
	res.NextBeginOffset = offset + int64(i)
	res.SuggestSlave = maxPhys-maxPulling > memory
	return res
}

func (s *Store) memoryRatio() int {
	if s.cfg.AccessMessageInMemoryMaxRatio <= 0 {
		return 40
	}
	return s.cfg.AccessMessageInMemoryMaxRatio
}

// batchFull is Java's isTheBatchFull.
func batchFull(size, maxNums, bytes, count int, onDisk bool) bool {
	if bytes == 0 || count == 0 {
		return false
	}
	if count >= maxNums {
		return true
	}
	if onDisk {
		return bytes+size > maxTransferBytesOnDisk || count > maxTransferCountOnDisk-1
	}
	return bytes+size > maxTransferBytesInMemory || count > maxTransferCountInMemory-1
}
