package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/ha"
	"github.com/rocketgo/rocketgo/store/message"
)

// Errors of Put and PutBatch on a SYNC_MASTER and on a slave. Like
// commitlog.ErrFlushTimeout, the first two come with a valid result: the
// message is stored on the master, only its copy on a slave is in doubt.
var (
	// ErrFlushSlaveTimeout: no slave acknowledged within SlaveTimeout
	// (Java FLUSH_SLAVE_TIMEOUT).
	ErrFlushSlaveTimeout = ha.ErrFlushSlaveTimeout
	// ErrSlaveNotAvailable: no slave connected, or it is
	// HASlaveFallbehindMax or more behind (Java SLAVE_NOT_AVAILABLE).
	ErrSlaveNotAvailable = ha.ErrSlaveNotAvailable
	// ErrSlave: the store is a slave's and takes bytes only from its
	// master (Java putMessage on a SLAVE: SERVICE_NOT_AVAILABLE).
	ErrSlave = errors.New("store: broker role is slave, puts are forbidden")
)

// startHA starts replication (Java HAService.start, which runs in every
// role): the listener when HAListenAddr is set, and on a slave the client
// following HAMasterAddr.
func (s *Store) startHA() error {
	svc, err := ha.New(ha.Config{
		Log:                  s.cl,
		FileSize:             s.cfg.MappedFileSizeCommitLog,
		ListenAddr:           s.cfg.HAListenAddr,
		Slave:                s.cfg.BrokerRole == RoleSlave,
		MasterAddr:           s.cfg.HAMasterAddr,
		Append:               s.appendReplica,
		End:                  s.replicaEnd,
		HeartbeatInterval:    s.cfg.HASendHeartbeatInterval,
		HousekeepingInterval: s.cfg.HAHousekeepingInterval,
		TransferBatchSize:    s.cfg.HATransferBatchSize,
		FallbehindMax:        s.cfg.HASlaveFallbehindMax,
		ReconnectInterval:    s.cfg.HAReconnectInterval,
		Logger:               s.log,
	})
	if err != nil {
		return fmt.Errorf("start replication: %w", err)
	}
	s.ha = svc
	svc.Start()
	return nil
}

// appended is the commitlog's OnAppend: wake the connection writers.
func (s *Store) appended(int64) {
	if s.ha != nil {
		s.ha.Notify()
	}
}

// replica is the slave's side of the stream (used by the HA client's
// goroutine only). A master's chunks end wherever its batch size does,
// mostly inside a record; the part of a record not yet whole is held here
// and reaches the commitlog together with the rest. The log thus never
// ends inside a record: a slave that stops (or crashes) mid-record
// recovers to exactly the bytes it had whole, and the master resends the
// rest. Java appends the partial bytes, which recovery may take for a
// record whose properties end in zeros.
type replica struct {
	pendOff int64  // offset of pend[0]
	pend    []byte // the start of a record, less than whole
}

// replicaEnd is how far the slave has received (what it reports).
func (s *Store) replicaEnd() int64 {
	if len(s.rep.pend) > 0 {
		return s.rep.pendOff + int64(len(s.rep.pend))
	}
	return s.cl.MaxOffset()
}

// appendReplica takes what the master sent at off (Java
// DefaultMessageStore.appendToCommitLog): every whole record goes to the
// commitlog verbatim at the same offset, the dispatcher builds queues and
// index from it, a trailing partial record waits for its rest.
func (s *Store) appendReplica(off int64, b []byte) error {
	if s.closed.Load() {
		return commitlog.ErrClosed
	}
	r := &s.rep
	if end := s.replicaEnd(); end != 0 && off != end {
		return fmt.Errorf("%w: offset %d, the slave has received to %d", commitlog.ErrReplicaOffset, off, end)
	}
	if len(b) == 0 {
		return nil
	}
	var err error
	if len(r.pend) == 0 {
		cut := s.wholeRecords(b, off)
		if cut > 0 {
			err = s.cl.AppendReplica(off, b[:cut])
		}
		if err == nil {
			r.hold(b[cut:], off+int64(cut))
		}
	} else {
		err = s.completeHeld(b)
	}
	if err != nil {
		// What is held may be what the log refused: start over from the
		// log's end on the next connection.
		r.hold(nil, 0)
		return err
	}
	s.reput.kick()
	return nil
}

// completeHeld appends the held partial record once b completes it, with
// the whole records of b after it.
func (s *Store) completeHeld(b []byte) error {
	r := &s.rep
	var hdr [8]byte
	k := copy(hdr[:], r.pend)
	k += copy(hdr[k:], b)
	if k < len(hdr) {
		r.pend = append(r.pend, b...)
		return nil
	}
	n, ok := s.recordLen(hdr[:], r.pendOff)
	if !ok {
		s.log.WithField("offset", r.pendOff).Warn("replica: no record header where one must start; appending as received")
		err := s.cl.AppendReplica(r.pendOff, r.pend, b)
		if err == nil {
			r.hold(nil, 0)
		}
		return err
	}
	rest := n - len(r.pend)
	if rest > len(b) {
		r.pend = append(r.pend, b...)
		return nil
	}
	next := r.pendOff + int64(n)
	tail := b[rest:]
	cut := s.wholeRecords(tail, next)
	if err := s.cl.AppendReplica(r.pendOff, r.pend, b[:rest], tail[:cut]); err != nil {
		return err
	}
	r.hold(tail[cut:], next+int64(cut))
	return nil
}

func (r *replica) hold(b []byte, off int64) {
	r.pend = append(r.pend[:0], b...)
	r.pendOff = off
}

// wholeRecords is the length of the prefix of b, which starts a record at
// off, made of whole records (BLANK included). Should b not parse as
// records it is taken whole, as Java takes any bytes.
func (s *Store) wholeRecords(b []byte, off int64) int {
	pos := 0
	for len(b)-pos >= 8 {
		n, ok := s.recordLen(b[pos:], off+int64(pos))
		if !ok {
			s.log.WithField("offset", off+int64(pos)).Warn("replica: no record header where one must start; appending as received")
			return len(b)
		}
		if n > len(b)-pos {
			break
		}
		pos += n
	}
	return pos
}

// recordLen reads the length of the record whose first 8 bytes are hdr,
// at off: a message no longer than the rest of its file, or a BLANK
// filling exactly that rest.
func (s *Store) recordLen(hdr []byte, off int64) (int, bool) {
	total := int64(int32(binary.BigEndian.Uint32(hdr)))
	magic := int32(binary.BigEndian.Uint32(hdr[4:]))
	rest := int64(s.cfg.MappedFileSizeCommitLog) - off%int64(s.cfg.MappedFileSizeCommitLog)
	switch magic {
	case message.MessageMagicCode:
		return int(total), total >= int64(message.CalMsgLength(0, 0, 0, 0)) && total <= rest
	case message.BlankMagicCode:
		return int(total), total == rest
	}
	return 0, false
}

// refuseOnSlave logs the first and then every 50000th refused put, as
// Java does.
func (s *Store) refuseOnSlave() error {
	if s.refusals.Add(1)%50000 == 1 {
		s.log.Warn("broker role is slave: put refused")
	}
	return ErrSlave
}

// SetHAMasterAddr points a slave at its master's HA address (Java
// updateHaMasterAddress, from the name server's registration reply); a
// changed address drops the connection to the old one.
func (s *Store) SetHAMasterAddr(addr string) { s.ha.SetMasterAddr(addr) }

// HAMasterAddr is the master address a slave follows.
func (s *Store) HAMasterAddr() string { return s.ha.MasterAddr() }

// HAAddr is the address the HA listener is bound to ("" without one).
func (s *Store) HAAddr() string { return s.ha.Addr() }

// SlaveAckOffset is the highest commitlog offset a slave acknowledged
// (Java push2SlaveMaxOffset).
func (s *Store) SlaveAckOffset() int64 { return s.ha.AckOffset() }

// HAConnections is the number of slaves connected to this store.
func (s *Store) HAConnections() int { return s.ha.Connections() }

// HAMasterConnected reports whether a slave is connected to its master.
func (s *Store) HAMasterConnected() bool { return s.ha.MasterConnected() }

// SlaveFallBehindMuch is how many commitlog bytes the slaves lack (Java
// slaveFallBehindMuch).
func (s *Store) SlaveFallBehindMuch() int64 { return s.cl.MaxOffset() - s.ha.AckOffset() }

// Role is the store's broker role.
func (s *Store) Role() Role { return s.cfg.BrokerRole }
