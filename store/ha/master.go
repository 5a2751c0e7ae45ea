package ha

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
)

// Frame layout of the master → slave stream (Java HAConnection
// WriteSocketService): the offset of the first body byte, the body size,
// the body.
const (
	headerSize = 8 + 4
	reportSize = 8
)

// accept is Java AcceptSocketService: one connection per slave.
func (s *Service) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if s.stopping() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.WithError(err).Warn("ha: accept failed")
			select {
			case <-time.After(100 * time.Millisecond):
			case <-s.ctx.Done():
				return
			}
			continue
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		cn := &conn{s: s, c: c, addr: c.RemoteAddr().String(), first: make(chan struct{}), done: make(chan struct{})}
		cn.request.Store(-1)
		cn.ackOff.Store(-1)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[cn] = struct{}{}
		s.nconn.Add(1)
		s.wg.Add(2)
		s.mu.Unlock()
		s.log.WithField("slave", cn.addr).Info("ha: slave connected")
		go cn.readLoop()
		go cn.writeLoop()
	}
}

// conn is one slave's connection on the master (Java HAConnection): a
// reader taking the slave's reports and a writer streaming the commitlog.
// Whichever ends first closes the socket, which ends the other.
type conn struct {
	s    *Service
	c    net.Conn
	addr string

	first   chan struct{} // closed by the reader at the first report
	request atomic.Int64  // first reported offset (slaveRequestOffset), -1 before
	ackOff  atomic.Int64  // last reported offset (slaveAckOffset), -1 before

	once sync.Once
	done chan struct{}
}

func (cn *conn) logger() logrus.FieldLogger { return cn.s.log.WithField("slave", cn.addr) }

// shutdown closes the connection once and forgets it.
func (cn *conn) shutdown(why string) {
	cn.once.Do(func() {
		close(cn.done)
		_ = cn.c.Close()
		cn.s.mu.Lock()
		delete(cn.s.conns, cn)
		cn.s.mu.Unlock()
		cn.s.nconn.Add(-1)
		cn.logger().WithFields(logrus.Fields{"reason": why, "ack": cn.ackOff.Load()}).Info("ha: slave connection closed")
	})
}

// readLoop is Java ReadSocketService: the stream is a sequence of 8-byte
// offsets of which the last complete one counts. Nothing read for the
// housekeeping interval, a negative offset or one beyond the master's end
// closes the connection.
func (cn *conn) readLoop() {
	defer cn.s.wg.Done()
	var buf [8 * reportSize]byte
	have := 0
	for {
		_ = cn.c.SetReadDeadline(time.Now().Add(cn.s.cfg.HousekeepingInterval))
		n, err := cn.c.Read(buf[have:])
		have += n
		if have >= reportSize {
			k := have - have%reportSize
			off := int64(binary.BigEndian.Uint64(buf[k-reportSize : k]))
			have = copy(buf[:], buf[k:have])
			if rerr := cn.report(off); rerr != nil {
				cn.logger().WithError(rerr).Warn("ha: bad report from slave")
				cn.shutdown(rerr.Error())
				return
			}
		}
		if err != nil {
			cn.shutdown(cn.readError(err, have))
			return
		}
	}
}

func (cn *conn) readError(err error, partial int) string {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		cn.logger().WithField("idle", cn.s.cfg.HousekeepingInterval).Warn("ha: housekeeping: nothing read from slave, closing")
		return "housekeeping: slave silent"
	case errors.Is(err, io.EOF) && partial > 0:
		cn.logger().WithField("bytes", partial).Warn("ha: slave closed in the middle of a report")
		return "short report"
	case errors.Is(err, io.EOF):
		return "closed by slave"
	case errors.Is(err, net.ErrClosed):
		return "closed"
	default:
		cn.logger().WithError(err).Warn("ha: read from slave failed")
		return err.Error()
	}
}

// report takes one offset from the slave: the first says where streaming
// starts (Java slaveRequestOffset), every one acknowledges what the slave
// has (slaveAckOffset, which SYNC_MASTER puts wait for).
func (cn *conn) report(off int64) error {
	if off < 0 {
		return fmt.Errorf("negative offset %d", off)
	}
	// Java checks this for every report but the first; a first report
	// beyond the end would stall the writer there forever, so it is
	// refused too.
	if max := cn.s.cfg.Log.MaxOffset(); off > max {
		return fmt.Errorf("offset %d beyond the master's end %d", off, max)
	}
	cn.ackOff.Store(off)
	if cn.request.Load() < 0 {
		cn.request.Store(off)
		cn.logger().WithField("offset", off).Info("ha: slave requests offset")
		close(cn.first)
	}
	cn.s.acked(off)
	return nil
}

// writeLoop is Java WriteSocketService: after the slave's first report it
// streams the commitlog from there in frames of at most TransferBatchSize
// bytes that never cross a file, straight from the mapping, and sends an
// empty frame when it wrote nothing for the heartbeat interval. It takes
// no commitlog lock.
func (cn *conn) writeLoop() {
	defer cn.s.wg.Done()
	s := cn.s
	select {
	case <-cn.first:
	case <-cn.done:
		return
	}
	next := cn.request.Load()
	if next == 0 {
		// A slave with nothing starts at the master's last file, not at 0.
		m := s.cfg.Log.MaxOffset()
		next = m - m%int64(s.cfg.FileSize)
	}
	cn.logger().WithFields(logrus.Fields{"from": next, "request": cn.request.Load()}).Info("ha: streaming commitlog to slave")
	var hdr [headerSize]byte
	var iov [2][]byte
	lastWrite := time.Now()
	timer := time.NewTimer(s.cfg.HeartbeatInterval)
	defer timer.Stop()
	warnedMissing := false
	for {
		if time.Since(lastWrite) > s.cfg.HeartbeatInterval {
			binary.BigEndian.PutUint64(hdr[:8], uint64(next))
			binary.BigEndian.PutUint32(hdr[8:], 0)
			if err := cn.write(hdr[:], nil, &iov); err != nil {
				cn.shutdown("write heartbeat: " + err.Error())
				return
			}
			lastWrite = time.Now()
		}
		// Taken before looking for data, so an append after the look
		// still wakes this writer.
		wake := s.data.channel()
		if v, ok := s.cfg.Log.ReadFrom(next); ok {
			size := min(len(v.Bytes), s.cfg.TransferBatchSize)
			if size > 0 {
				binary.BigEndian.PutUint64(hdr[:8], uint64(next))
				binary.BigEndian.PutUint32(hdr[8:], uint32(size))
				err := cn.write(hdr[:], v.Bytes[:size], &iov)
				v.Release()
				if err != nil {
					cn.shutdown("write data: " + err.Error())
					return
				}
				next += int64(size)
				lastWrite = time.Now()
				continue
			}
			v.Release()
		} else if !warnedMissing && next < s.cfg.Log.MaxOffset() {
			// Java waits here too: the slave asked for bytes the master no
			// longer (or never) had in a file.
			warnedMissing = true
			cn.logger().WithField("offset", next).Warn("ha: requested offset is in no commitlog file; waiting")
		}
		wait := s.cfg.HeartbeatInterval - time.Since(lastWrite)
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-wake:
		case <-timer.C:
		case <-cn.done:
			return
		}
	}
}

// write sends a header and a body with one writev, bounded by the
// housekeeping interval (a slave that stops reading is dropped).
func (cn *conn) write(hdr, body []byte, iov *[2][]byte) error {
	_ = cn.c.SetWriteDeadline(time.Now().Add(cn.s.cfg.HousekeepingInterval))
	iov[0], iov[1] = hdr, body
	bufs := net.Buffers(iov[:])
	if len(body) == 0 {
		bufs = bufs[:1]
	}
	_, err := bufs.WriteTo(cn.c)
	iov[0], iov[1] = nil, nil
	return err
}
