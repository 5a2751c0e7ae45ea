package ha

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// readBufferSize is Java HAClient's READ_MAX_BUFFER_SIZE: a frame must fit
// it whole, so no body may exceed it less the header.
const readBufferSize = 4 << 20

// client is Java HAClient: the slave's one connection to its master. It
// reports the commitlog end, appends every frame at the offset the frame
// names, and reports again after each frame that moved the end.
type client struct {
	s *Service

	mu     sync.Mutex
	addr   string
	conn   net.Conn
	change chan struct{} // capacity 1: the address changed
	quit   chan struct{}
	once   sync.Once

	buf []byte // read buffer, reused across connections
}

func newClient(s *Service, addr string) *client {
	return &client{s: s, addr: addr, change: make(chan struct{}, 1), quit: make(chan struct{})}
}

func (c *client) current() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addr
}

func (c *client) connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn != nil
}

func (c *client) setAddr(addr string) {
	c.mu.Lock()
	old := c.addr
	if old == addr {
		c.mu.Unlock()
		return
	}
	c.addr = addr
	if c.conn != nil {
		_ = c.conn.Close() // follow the new master at once
	}
	c.mu.Unlock()
	c.s.log.WithFields(logrus.Fields{"old": old, "new": addr}).Info("ha: master address updated")
	select {
	case c.change <- struct{}{}:
	default:
	}
}

func (c *client) stop() {
	c.once.Do(func() {
		close(c.quit)
		c.mu.Lock()
		if c.conn != nil {
			_ = c.conn.Close()
		}
		c.mu.Unlock()
	})
}

func (c *client) run() {
	defer c.s.wg.Done()
	log := c.s.log
	for {
		addr := c.current()
		if addr == "" {
			select {
			case <-c.change:
				continue
			case <-c.quit:
				return
			}
		}
		began := time.Now()
		err := c.session(addr)
		select {
		case <-c.quit:
			return
		default:
		}
		lived := time.Since(began)
		l := log.WithFields(logrus.Fields{"master": addr, "lived": lived.Round(time.Millisecond)})
		if err != nil {
			l.WithError(err).Warn("ha: connection to master ended")
		}
		// Reconnect at once after a long-lived connection, otherwise wait
		// (Java waits 5 s after a failed connect), so a master that keeps
		// refusing is not hammered.
		wait := time.Duration(0)
		if lived < c.s.cfg.ReconnectInterval {
			wait = c.s.cfg.ReconnectInterval - lived
		}
		if c.current() != addr {
			wait = 0
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-c.change:
			case <-c.quit:
				t.Stop()
				return
			}
			t.Stop()
		}
	}
}

// session runs one connection to addr until it fails or is closed.
func (c *client) session(addr string) error {
	s := c.s
	d := net.Dialer{Timeout: s.cfg.DialTimeout}
	nc, err := d.DialContext(s.ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	c.mu.Lock()
	if c.addr != addr || s.stopping() {
		c.mu.Unlock()
		_ = nc.Close()
		return nil
	}
	c.conn = nc
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.conn = nil
		c.mu.Unlock()
		_ = nc.Close()
	}()
	s.log.WithFields(logrus.Fields{"master": addr, "offset": s.cfg.End()}).Info("ha: connected to master")
	if c.buf == nil {
		c.buf = make([]byte, readBufferSize)
	}
	return (&stream{s: s, nc: nc}).run(c.buf)
}

// stream is the state of one slave connection.
type stream struct {
	s         *Service
	nc        net.Conn
	reported  int64
	lastWrite time.Time
	lastRead  time.Time
	rep       [reportSize]byte
}

// report sends the slave's end (Java reportSlaveMaxOffset). A report that
// cannot be written within the housekeeping interval ends the connection
// (Java closes a connection it wrote nothing to for that long).
func (st *stream) report(off int64) error {
	binary.BigEndian.PutUint64(st.rep[:], uint64(off))
	_ = st.nc.SetWriteDeadline(time.Now().Add(st.s.cfg.HousekeepingInterval))
	if _, err := st.nc.Write(st.rep[:]); err != nil {
		return fmt.Errorf("report offset %d: %w", off, err)
	}
	st.reported = off
	st.lastWrite = time.Now()
	return nil
}

func (st *stream) run(buf []byte) error {
	s := st.s
	hb, hk := s.cfg.HeartbeatInterval, s.cfg.HousekeepingInterval
	st.lastRead = time.Now()
	// Java reports for the first time one heartbeat interval after
	// connecting; reporting at once is the same protocol, minus the wait.
	if err := st.report(s.cfg.End()); err != nil {
		return err
	}
	start, end := 0, 0
	for {
		due := st.lastWrite.Add(hb)
		if d := st.lastRead.Add(hk); d.Before(due) {
			due = d
		}
		_ = st.nc.SetReadDeadline(due)
		n, err := st.nc.Read(buf[end:])
		if n > 0 {
			st.lastRead = time.Now()
			end += n
			var perr error
			start, perr = st.frames(buf, start, end)
			if perr != nil {
				return perr
			}
			// Keep room for the rest of a frame: move the unparsed tail
			// to the front when the buffer's end comes near.
			if start == end {
				start, end = 0, 0
			} else if start > 0 && len(buf)-end < 256<<10 {
				end = copy(buf, buf[start:end])
				start = 0
			}
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("read: %w", err)
		}
		if time.Since(st.lastRead) > hk {
			return fmt.Errorf("housekeeping: nothing from the master for %v", hk)
		}
		if time.Since(st.lastWrite) > hb {
			if err := st.report(st.reported); err != nil {
				return err
			}
		}
	}
}

// frames applies every complete frame in buf[start:end] and returns where
// the unparsed rest begins.
func (st *stream) frames(buf []byte, start, end int) (int, error) {
	s := st.s
	for end-start >= headerSize {
		off := int64(binary.BigEndian.Uint64(buf[start:]))
		size := int64(int32(binary.BigEndian.Uint32(buf[start+8:])))
		if off < 0 || size < 0 || size > int64(len(buf)-headerSize) {
			return start, fmt.Errorf("bad frame header: offset %d, size %d", off, size)
		}
		// Java HAClient.dispatchReadRequest: a slave that has data takes
		// only the frame that continues it.
		if mine := s.cfg.End(); mine != 0 && mine != off {
			return start, fmt.Errorf("master sent offset %d, the slave's end is %d", off, mine)
		}
		if int64(end-start) < headerSize+size {
			break
		}
		body := buf[start+headerSize : start+headerSize+int(size)]
		start += headerSize + int(size)
		if size == 0 {
			continue // heartbeat
		}
		if err := s.cfg.Append(off, body); err != nil {
			return start, fmt.Errorf("append %d bytes at %d: %w", size, off, err)
		}
		if m := s.cfg.End(); m > st.reported {
			if err := st.report(m); err != nil {
				return start, err
			}
		}
	}
	return start, nil
}
