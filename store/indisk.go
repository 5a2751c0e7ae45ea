package store

// CheckInDiskByConsumeOffset reports whether the message at a queue offset
// is far enough behind the commitlog end to have left the page cache
// (Java DefaultMessageStore.checkInDiskByConsumeOffset): more than
// accessMessageInMemoryMaxRatio of RAM. An offset without an entry is
// not in disk.
func (s *Store) CheckInDiskByConsumeOffset(topic string, queueID int32, offset int64) bool {
	e, ok := s.Entry(topic, queueID, offset)
	if !ok {
		return false
	}
	return s.cl.MaxOffset()-e.Offset > s.memory*int64(s.memoryRatio())/100
}
