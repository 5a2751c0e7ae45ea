package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/message"
)

// haStoreConfig is a store with small files on loopback HA settings fast
// enough for tests.
func haStoreConfig(root string, role Role, fileSize int) Config {
	c := DefaultConfig(root)
	c.MappedFileSizeCommitLog = fileSize
	c.MappedFileSizeConsumeQueue = 500 * 20
	c.MaxHashSlotNum = 1000
	c.MaxIndexNum = 4000
	c.BrokerRole = role
	c.HAReconnectInterval = 50 * time.Millisecond
	c.Logger = quiet()
	if role != RoleSlave {
		c.HAListenAddr = "127.0.0.1:0"
	}
	return c
}

func haOpen(tb testing.TB, c Config) *Store {
	tb.Helper()
	s, err := Open(c)
	if err != nil {
		tb.Fatalf("open %s store: %v", c.BrokerRole, err)
	}
	tb.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func haRecord(tb testing.TB, topic string, queueID int32, body string) []byte {
	tb.Helper()
	h := message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}
	props := message.AppendProperty(nil, 0, message.PropertyTags, "TagA")
	props = message.AppendProperty(props, 1, message.PropertyKeys, "key-"+body)
	rec, err := message.AppendRecord(nil, &message.Message{
		QueueID: queueID, BornTimestamp: time.Now().UnixMilli(), BornHost: h, StoreHost: h,
		Body: []byte(body), Topic: topic, Properties: props,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

func haWait(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// haPutMany puts n records spread over topics A and B, queues 0..3, from
// four goroutines, and returns how many each queue got.
func haPutMany(t *testing.T, s *Store, n int, tag string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			topic := []string{"A", "B"}[g%2]
			for i := g; i < n; i += 4 {
				body := fmt.Sprintf("%s-%d-%s", tag, i, strings.Repeat("x", i%200))
				if _, err := s.Put(topic, int32(i%4), haRecord(t, topic, int32(i%4), body)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("put: %v", err)
	}
}

// haCaughtUp waits until the slave holds the master's whole commitlog and
// has dispatched it into queues as long as the master's.
func haCaughtUp(t *testing.T, m, s *Store) {
	t.Helper()
	haWait(t, 20*time.Second, "slave commitlog to reach the master's end", func() bool {
		return s.CommitLog().MaxOffset() == m.CommitLog().MaxOffset()
	})
	haWait(t, 10*time.Second, "the master's own dispatch", func() bool { return m.reput.offset() >= m.CommitLog().MaxOffset() })
	for _, k := range haQueues(m) {
		want := m.MaxOffsetInQueue(k.topic, k.id)
		deadline := time.Now().Add(10 * time.Second)
		for s.MaxOffsetInQueue(k.topic, k.id) != want {
			if time.Now().After(deadline) {
				for _, k := range haQueues(m) {
					t.Logf("%s/%d: master %d slave %d", k.topic, k.id, m.MaxOffsetInQueue(k.topic, k.id), s.MaxOffsetInQueue(k.topic, k.id))
				}
				t.Fatalf("slave queue %s/%d at %d, master %d; slave dispatched to %d of %d", k.topic, k.id,
					s.MaxOffsetInQueue(k.topic, k.id), want, s.reput.offset(), s.CommitLog().MaxOffset())
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// haFollowing waits until slave s streams from master m's first file:
// one record put while the master's log is still inside that file fixes
// where the stream starts, whenever the slave's first report arrives.
func haFollowing(t *testing.T, m, s *Store) {
	t.Helper()
	if m.CommitLog().MaxOffset() != 0 {
		t.Fatal("haFollowing needs an empty master")
	}
	if _, err := m.Put("A", 0, haRecord(t, "A", 0, "first")); err != nil && !errors.Is(err, ErrSlaveNotAvailable) {
		t.Fatal(err)
	}
	haWait(t, 5*time.Second, "the slave to follow", func() bool {
		return s.CommitLog().MaxOffset() == m.CommitLog().MaxOffset()
	})
}

func haQueues(s *Store) []queueKey {
	s.qmu.RLock()
	defer s.qmu.RUnlock()
	keys := make([]queueKey, 0, len(s.queues))
	for k := range s.queues {
		keys = append(keys, k)
	}
	return keys
}

// haSameFiles demands that every file under dir/sub of the slave is
// byte-identical to the master's file of the same name, and that the
// slave has every master file from the first one it has on.
func haSameFiles(t *testing.T, master, slave, sub string) int {
	t.Helper()
	var names []string
	err := filepath.WalkDir(filepath.Join(slave, sub), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(slave, p)
		names = append(names, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, n := range names {
		a, err := os.ReadFile(filepath.Join(master, n))
		if err != nil {
			t.Errorf("slave has %s, master: %v", n, err)
			continue
		}
		b, _ := os.ReadFile(filepath.Join(slave, n))
		if !bytes.Equal(a, b) {
			i := 0
			for i < min(len(a), len(b)) && a[i] == b[i] {
				i++
			}
			t.Errorf("%s differs from byte %d (master %d bytes, slave %d)", n, i, len(a), len(b))
		}
	}
	return len(names)
}

func haCommitlogFiles(t *testing.T, root string) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(root, "commitlog"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func haCloseBoth(t *testing.T, m, s *Store) {
	t.Helper()
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("close slave: %v", err)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("close master: %v", err)
	}
}

// TestHAReplicatesByteIdentical: thousands of records put on a master
// reach a slave that was empty when the master was: the commitlog and
// consume queue files are byte-identical, the slave serves the messages
// and refuses puts.
func TestHAReplicatesByteIdentical(t *testing.T) {
	mroot, sroot := t.TempDir(), t.TempDir()
	m := haOpen(t, haStoreConfig(mroot, RoleAsyncMaster, 64<<10))
	sc := haStoreConfig(sroot, RoleSlave, 64<<10)
	sc.HAMasterAddr = m.HAAddr()
	s := haOpen(t, sc)
	haWait(t, 5*time.Second, "slave connection", func() bool { return m.HAConnections() == 1 && s.HAMasterConnected() })
	haFollowing(t, m, s)
	haPutMany(t, m, 4000, "r")
	haCaughtUp(t, m, s)
	haWait(t, 5*time.Second, "the master to see the slave's ack", func() bool {
		return m.SlaveAckOffset() == m.CommitLog().MaxOffset()
	})
	if files := len(m.CommitLog().Files().Files()); files < 8 {
		t.Fatalf("only %d commitlog files: the test means to cross files", files)
	}
	// The slave serves what it replicated: an entry and its record.
	e, ok := s.Entry("B", 3, 17)
	if !ok {
		t.Fatal("slave has no entry B/3/17")
	}
	v, ok := s.CommitLog().Read(e.Offset, int(e.Size))
	if !ok {
		t.Fatal("slave cannot read B/3/17")
	}
	var r message.Record
	if err := r.Decode(v.Bytes, true); err != nil || string(r.Topic) != "B" || r.QueueOffset != 17 {
		t.Fatalf("slave B/3/17: %v topic %s offset %d", err, r.Topic, r.QueueOffset)
	}
	v.Release()
	if _, err := s.Put("A", 0, haRecord(t, "A", 0, "refused")); !errors.Is(err, ErrSlave) {
		t.Fatalf("put on a slave: %v, want ErrSlave", err)
	}

	haCloseBoth(t, m, s)
	if a, b := haCommitlogFiles(t, mroot), haCommitlogFiles(t, sroot); strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("commitlog files: master %v, slave %v", a, b)
	}
	if n := haSameFiles(t, mroot, sroot, "commitlog"); n < 8 {
		t.Fatalf("compared %d commitlog files", n)
	}
	if n := haSameFiles(t, mroot, sroot, "consumequeue"); n < 8 {
		t.Fatalf("compared %d consume queue files", n)
	}
	for _, root := range []string{mroot, sroot} {
		if _, err := os.Stat(filepath.Join(root, "abort")); !os.IsNotExist(err) {
			t.Errorf("%s: abort marker left after a clean close", root)
		}
	}
}

// TestHAEmptySlaveStartsAtLastFile: an empty slave reports 0 and gets the
// master's stream from the start of its last file (Java's rule); its
// queues begin where those records do and agree with the master's.
func TestHAEmptySlaveStartsAtLastFile(t *testing.T) {
	mroot, sroot := t.TempDir(), t.TempDir()
	const fileSize = 16 << 10
	m := haOpen(t, haStoreConfig(mroot, RoleAsyncMaster, fileSize))
	haPutMany(t, m, 400, "before")
	maxOff := m.CommitLog().MaxOffset()
	last := maxOff - maxOff%fileSize
	if last < 3*fileSize {
		t.Fatalf("master ends at %d: want at least four files", maxOff)
	}
	sc := haStoreConfig(sroot, RoleSlave, fileSize)
	sc.HAMasterAddr = m.HAAddr()
	s := haOpen(t, sc)
	haWait(t, 10*time.Second, "slave to catch up", func() bool { return s.CommitLog().MaxOffset() == maxOff })
	if got := s.CommitLog().MinOffset(); got != last {
		t.Fatalf("slave starts at %d, want the master's last file %d", got, last)
	}
	// Records after the slave joined continue the same files.
	haPutMany(t, m, 200, "after")
	haCaughtUp(t, m, s)
	for _, k := range haQueues(m) {
		want := m.MaxOffsetInQueue(k.topic, k.id)
		lo := s.MinOffsetInQueue(k.topic, k.id)
		if lo == 0 {
			t.Errorf("%s/%d: slave queue starts at 0, before the records it has", k.topic, k.id)
		}
		if e, ok := m.Entry(k.topic, k.id, lo-1); !ok || e.Offset >= last {
			t.Errorf("%s/%d: the master's entry before the slave's first (%d) is at %d", k.topic, k.id, lo, e.Offset)
		}
		for o := lo; o < want; o++ {
			me, _ := m.Entry(k.topic, k.id, o)
			se, ok := s.Entry(k.topic, k.id, o)
			if !ok || me != se {
				t.Fatalf("%s/%d/%d: slave %+v, master %+v", k.topic, k.id, o, se, me)
			}
		}
	}
	haCloseBoth(t, m, s)
	files := haCommitlogFiles(t, sroot)
	if len(files) == 0 || files[0] != fmt.Sprintf("%020d", last) {
		t.Fatalf("slave commitlog files %v, want the first at %d", files, last)
	}
	haSameFiles(t, mroot, sroot, "commitlog")
}

// TestHASlaveRestartResumes: a slave stopped while records stream in and
// reopened reports its own end and continues from there; nothing is sent
// twice or lost.
func TestHASlaveRestartResumes(t *testing.T) {
	mroot, sroot := t.TempDir(), t.TempDir()
	mc := haStoreConfig(mroot, RoleAsyncMaster, 64<<10)
	mc.HATransferBatchSize = 1000 // chunks end inside records
	m := haOpen(t, mc)
	sc := haStoreConfig(sroot, RoleSlave, 64<<10)
	sc.HAMasterAddr = m.HAAddr()
	s := haOpen(t, sc)
	haFollowing(t, m, s)
	haPutMany(t, m, 1000, "one")
	haCaughtUp(t, m, s)

	// Records keep coming while the slave stops.
	stop := make(chan struct{})
	putting := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				putting <- nil
				return
			default:
			}
			if _, err := m.Put("A", 1, haRecord(t, "A", 1, fmt.Sprint("two-", i))); err != nil {
				putting <- err
				return
			}
		}
	}()
	haWait(t, 5*time.Second, "the slave to follow the new records", func() bool {
		return s.MaxOffsetInQueue("A", 1) > 400
	})
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(stop)
	if err := <-putting; err != nil {
		t.Fatal(err)
	}
	haPutMany(t, m, 500, "three")

	s2, err := Open(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Close(context.Background()) })
	if s2.abnormal {
		t.Error("the slave's clean close recovered as abnormal")
	}
	haCaughtUp(t, m, s2)
	if s2.CommitLog().MinOffset() != 0 {
		t.Fatalf("the slave restarted from the master's last file (min %d), not from its own end", s2.CommitLog().MinOffset())
	}
	haCloseBoth(t, m, s2)
	if a, b := haCommitlogFiles(t, mroot), haCommitlogFiles(t, sroot); strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("commitlog files: master %v, slave %v", a, b)
	}
	haSameFiles(t, mroot, sroot, "commitlog")
	haSameFiles(t, mroot, sroot, "consumequeue")
}

// TestHASlavePartialRecord: the part of a record a chunk ends in is
// acknowledged as received but kept out of the commitlog until it is
// whole, so a slave stopped there reopens at the end of its last whole
// record, with nothing of the partial one on disk.
func TestHASlavePartialRecord(t *testing.T) {
	src := haOpen(t, haStoreConfig(t.TempDir(), RoleAsyncMaster, 64<<10))
	haPutMany(t, src, 10, "p")
	whole := src.CommitLog().MaxOffset()
	if _, err := src.Put("A", 0, haRecord(t, "A", 0, "cut")); err != nil {
		t.Fatal(err)
	}
	v, ok := src.CommitLog().ReadFrom(0)
	if !ok {
		t.Fatal("read source log")
	}
	cut := append([]byte(nil), v.Bytes[:whole+30]...)
	v.Release()

	root := t.TempDir()
	sc := haStoreConfig(root, RoleSlave, 64<<10)
	var frame []byte
	frame = binary.BigEndian.AppendUint64(frame, 0)
	frame = binary.BigEndian.AppendUint32(frame, uint32(len(cut)))
	frame = append(frame, cut...)
	acked := make(chan int64, 1)
	s, done := haFakeMaster(t, sc, func(c net.Conn, reported int64) {
		_, _ = c.Write(frame)
		var b [8]byte
		if _, err := io.ReadFull(c, b[:]); err == nil {
			acked <- int64(binary.BigEndian.Uint64(b[:]))
		}
	})
	select {
	case a := <-acked:
		if a != whole+30 {
			t.Fatalf("slave acknowledged %d, received %d", a, whole+30)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no acknowledgement")
	}
	if s.CommitLog().MaxOffset() != whole {
		t.Fatalf("slave commitlog ends at %d, the last whole record at %d", s.CommitLog().MaxOffset(), whole)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-done
	if _, err := os.Stat(filepath.Join(root, "abort")); !os.IsNotExist(err) {
		t.Fatal("abort marker left")
	}
	file, err := os.ReadFile(filepath.Join(root, "commitlog", fmt.Sprintf("%020d", 0)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file[:whole], cut[:whole]) || !bytes.Equal(file[whole:whole+30], make([]byte, 30)) {
		t.Fatal("slave commitlog is not the whole records followed by zeros")
	}
	got := make(chan int64, 1)
	s2, done2 := haFakeMaster(t, sc, func(c net.Conn, reported int64) { got <- reported })
	select {
	case r := <-got:
		if r != whole {
			t.Errorf("reopened slave reported %d, want the end of its last whole record %d", r, whole)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reopened slave did not report")
	}
	_ = s2.Close(context.Background())
	<-done2
}

// TestHATinyChunks: chunks of 7 bytes split headers and records anywhere;
// the slave still ends up byte-identical with the same queues.
func TestHATinyChunks(t *testing.T) {
	mroot, sroot := t.TempDir(), t.TempDir()
	mc := haStoreConfig(mroot, RoleAsyncMaster, 16<<10)
	mc.HATransferBatchSize = 7
	m := haOpen(t, mc)
	sc := haStoreConfig(sroot, RoleSlave, 16<<10)
	sc.HAMasterAddr = m.HAAddr()
	s := haOpen(t, sc)
	haFollowing(t, m, s)
	haPutMany(t, m, 150, "tiny") // crosses into a second file
	haCaughtUp(t, m, s)
	if len(m.CommitLog().Files().Files()) < 2 {
		t.Fatal("test data stays in one file")
	}
	haCloseBoth(t, m, s)
	if n := haSameFiles(t, mroot, sroot, "commitlog"); n < 2 {
		t.Fatalf("compared %d files", n)
	}
	haSameFiles(t, mroot, sroot, "consumequeue")
}

// haFakeSlave connects to addr and reports off; it never reports again.
func haFakeSlave(t *testing.T, addr string, off int64) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	haReport(t, c, off)
	return c
}

func haReport(t *testing.T, c net.Conn, off int64) {
	t.Helper()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(off))
	if _, err := c.Write(b[:]); err != nil {
		t.Fatal(err)
	}
}

// TestHASyncMaster: SYNC_MASTER puts answer by the slave's state.
func TestHASyncMaster(t *testing.T) {
	t.Run("no slave: SLAVE_NOT_AVAILABLE at once, message stored", func(t *testing.T) {
		m := haOpen(t, haStoreConfig(t.TempDir(), RoleSyncMaster, 64<<10))
		began := time.Now()
		res, err := m.Put("A", 0, haRecord(t, "A", 0, "x"))
		if !errors.Is(err, ErrSlaveNotAvailable) || time.Since(began) > time.Second {
			t.Fatalf("put without a slave: %v after %v", err, time.Since(began))
		}
		if res.Bytes == 0 || res.QueueOffset != 0 {
			t.Fatalf("result %+v: the message is stored all the same", res)
		}
		waitDispatched(t, m, "A", 0, 1)
	})
	t.Run("WAIT=false put: no slave wait", func(t *testing.T) {
		// The broker's own re-puts (delay deliveries, send-backs, commits)
		// carry WAIT=false and must not fail for want of a slave.
		m := haOpen(t, haStoreConfig(t.TempDir(), RoleSyncMaster, 64<<10))
		res, err := m.PutNoWait("A", 0, haRecord(t, "A", 0, "x"))
		if err != nil || res.Bytes == 0 {
			t.Fatalf("PutNoWait without a slave: %+v, %v", res, err)
		}
		if _, err := m.PutBatchNoWait("A", 0, haRecord(t, "A", 0, "y"), 1); err != nil {
			t.Fatalf("PutBatchNoWait without a slave: %v", err)
		}
		waitDispatched(t, m, "A", 0, 2)
		if !Stored(ErrSlaveNotAvailable) || !Stored(ErrFlushSlaveTimeout) || Stored(ErrDiskFull) {
			t.Fatal("Stored misclassifies the put errors")
		}
	})
	t.Run("slave acknowledges: PUT_OK", func(t *testing.T) {
		m := haOpen(t, haStoreConfig(t.TempDir(), RoleSyncMaster, 64<<10))
		sc := haStoreConfig(t.TempDir(), RoleSlave, 64<<10)
		sc.HAMasterAddr = m.HAAddr()
		s := haOpen(t, sc)
		haWait(t, 5*time.Second, "slave connection", func() bool { return m.HAConnections() == 1 })
		var wg sync.WaitGroup
		errs := make(chan error, 8*50)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					res, err := m.Put("A", int32(g%4), haRecord(t, "A", int32(g%4), fmt.Sprint(i)))
					if err == nil && m.SlaveAckOffset() < res.PhysOffset+int64(res.Bytes) {
						err = fmt.Errorf("PUT_OK before the slave acknowledged %d (ack %d)", res.PhysOffset+int64(res.Bytes), m.SlaveAckOffset())
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if s.CommitLog().MaxOffset() != m.CommitLog().MaxOffset() {
			t.Fatalf("slave at %d after acknowledged puts up to %d", s.CommitLog().MaxOffset(), m.CommitLog().MaxOffset())
		}
	})
	t.Run("stalled slave: FLUSH_SLAVE_TIMEOUT after slaveTimeout", func(t *testing.T) {
		c := haStoreConfig(t.TempDir(), RoleSyncMaster, 64<<10)
		c.SlaveTimeout = 300 * time.Millisecond
		m := haOpen(t, c)
		haFakeSlave(t, m.HAAddr(), 0)
		haWait(t, 5*time.Second, "fake slave", func() bool { return m.HAConnections() == 1 })
		began := time.Now()
		res, err := m.Put("A", 0, haRecord(t, "A", 0, "x"))
		took := time.Since(began)
		if !errors.Is(err, ErrFlushSlaveTimeout) || took < 300*time.Millisecond || took > 2*time.Second {
			t.Fatalf("put with a stalled slave: %v after %v", err, took)
		}
		if res.Bytes == 0 {
			t.Fatalf("result %+v: the message is stored all the same", res)
		}
	})
	t.Run("slave too far behind: SLAVE_NOT_AVAILABLE at once", func(t *testing.T) {
		c := haStoreConfig(t.TempDir(), RoleAsyncMaster, 64<<10)
		c.HASlaveFallbehindMax = 4096
		c.SlaveTimeout = 300 * time.Millisecond
		root := c.StorePathRootDir
		m := haOpen(t, c)
		haPutMany(t, m, 100, "fill") // about 20 KiB, as ASYNC_MASTER
		if err := m.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		c.BrokerRole = RoleSyncMaster
		c.StorePathRootDir = root
		m = haOpen(t, c)
		end := m.CommitLog().MaxOffset()
		haFakeSlave(t, m.HAAddr(), 0)
		haWait(t, 5*time.Second, "fake slave", func() bool { return m.HAConnections() == 1 })
		began := time.Now()
		if _, err := m.Put("A", 0, haRecord(t, "A", 0, "x")); !errors.Is(err, ErrSlaveNotAvailable) || time.Since(began) > 200*time.Millisecond {
			t.Fatalf("put with a slave %d bytes behind: %v after %v", end, err, time.Since(began))
		}
		// A slave that acknowledged nearly everything is close enough:
		// the put waits for it (and times out, as it never acks more).
		haFakeSlave(t, m.HAAddr(), end)
		haWait(t, 5*time.Second, "the second fake slave's ack", func() bool { return m.SlaveAckOffset() == end })
		if _, err := m.Put("A", 0, haRecord(t, "A", 0, "y")); !errors.Is(err, ErrFlushSlaveTimeout) {
			t.Fatalf("put with a slave close behind: %v, want FLUSH_SLAVE_TIMEOUT", err)
		}
	})
}

// TestHABadInput: whatever arrives on the HA port, only that connection
// closes; a real slave on the same master keeps replicating.
func TestHABadInput(t *testing.T) {
	mc := haStoreConfig(t.TempDir(), RoleAsyncMaster, 64<<10)
	mc.HAHousekeepingInterval = 400 * time.Millisecond
	mc.HASendHeartbeatInterval = 100 * time.Millisecond
	m := haOpen(t, mc)
	sc := haStoreConfig(t.TempDir(), RoleSlave, 64<<10)
	sc.HAMasterAddr = m.HAAddr()
	sc.HAHousekeepingInterval = 400 * time.Millisecond
	sc.HASendHeartbeatInterval = 100 * time.Millisecond
	s := haOpen(t, sc)
	haPutMany(t, m, 200, "base")
	haCaughtUp(t, m, s)

	u64 := func(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
	cases := []struct {
		name  string
		send  func(end int64) []byte
		close bool // half-close after sending
	}{
		{"garbage", func(int64) []byte { return []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n") }, false},
		{"negative offset", func(int64) []byte { return u64(^uint64(0)) }, false},
		{"future offset", func(end int64) []byte { return u64(uint64(end + 1)) }, false},
		{"future offset after a valid report", func(end int64) []byte { return append(u64(uint64(end)), u64(uint64(end+4096))...) }, false},
		{"short report then EOF", func(int64) []byte { return []byte{0, 0, 0, 0, 1} }, true},
		{"short report then silence", func(int64) []byte { return []byte{0, 0, 0} }, false},
		{"silence", func(int64) []byte { return nil }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", m.HAAddr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			haWait(t, 5*time.Second, "the bad connection to count", func() bool { return m.HAConnections() == 2 })
			if b := tc.send(m.CommitLog().MaxOffset()); len(b) > 0 {
				if _, err := c.Write(b); err != nil {
					t.Fatal(err)
				}
			}
			if tc.close {
				_ = c.(*net.TCPConn).CloseWrite()
			}
			// The master closes it: reads end (after any frames it sent
			// for a valid first report) within the housekeeping interval.
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.Copy(io.Discard, c); err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
				t.Fatalf("the master kept the connection: %v", err)
			}
			haWait(t, 5*time.Second, "only the real slave to remain", func() bool { return m.HAConnections() == 1 })
		})
	}
	// The real slave never noticed.
	haPutMany(t, m, 200, "after")
	haCaughtUp(t, m, s)
}

func isReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset")
}

// haFakeMaster accepts one slave, reads its first report and lets fn
// answer; it returns what the slave reported and whether the slave then
// closed the connection.
func haFakeMaster(t *testing.T, slaveCfg Config, fn func(c net.Conn, reported int64)) (*Store, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		var b [8]byte
		if _, err := io.ReadFull(c, b[:]); err != nil {
			done <- fmt.Errorf("first report: %w", err)
			return
		}
		fn(c, int64(binary.BigEndian.Uint64(b[:])))
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = io.Copy(io.Discard, c)
		done <- err // nil: the slave closed
	}()
	slaveCfg.HAMasterAddr = ln.Addr().String()
	slaveCfg.HAReconnectInterval = time.Hour // one connection only
	return haOpen(t, slaveCfg), done
}

// TestHASlaveRejectsBadFrames: a slave closes its connection on a frame
// that does not continue its log or has a broken header.
func TestHASlaveRejectsBadFrames(t *testing.T) {
	frame := func(off int64, size int32, body []byte) []byte {
		b := binary.BigEndian.AppendUint64(nil, uint64(off))
		b = binary.BigEndian.AppendUint32(b, uint32(size))
		return append(b, body...)
	}
	cases := []struct {
		name string
		send func(reported int64) []byte
	}{
		{"offset mismatch", func(r int64) []byte { return frame(r+100, 4, []byte("abcd")) }},
		{"negative size", func(r int64) []byte { return frame(r, -5, nil) }},
		{"size beyond the read buffer", func(r int64) []byte { return frame(r, 64<<20, nil) }},
		{"negative offset", func(int64) []byte { return frame(-8, 0, nil) }},
		{"silent master", func(int64) []byte { return nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A slave with data of its own, so every offset is checked.
			root := t.TempDir()
			pre := haOpen(t, haStoreConfig(root, RoleAsyncMaster, 64<<10))
			haPutMany(t, pre, 20, "own")
			own := pre.CommitLog().MaxOffset()
			if err := pre.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			var reported int64 = -1
			sc := haStoreConfig(root, RoleSlave, 64<<10)
			sc.HAHousekeepingInterval = 300 * time.Millisecond
			sc.HASendHeartbeatInterval = 100 * time.Millisecond
			s, done := haFakeMaster(t, sc, func(c net.Conn, r int64) {
				reported = r
				_, _ = c.Write(tc.send(r))
			})
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("the slave did not close the connection: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the slave kept a connection with a bad frame")
			}
			if reported != own {
				t.Fatalf("slave reported %d, its log ends at %d", reported, own)
			}
			if s.CommitLog().MaxOffset() != own {
				t.Fatalf("slave log moved to %d", s.CommitLog().MaxOffset())
			}
		})
	}
}

// TestHAWireProtocol checks the master's stream against STORE.md §15 with
// a raw client: a first report of 0 starts at the last file, frames never
// cross a file nor exceed the batch size, bodies are the commitlog's bytes,
// an idle stream carries empty heartbeat frames, and reports move the
// acknowledged offset.
func TestHAWireProtocol(t *testing.T) {
	const fileSize = 16 << 10
	c := haStoreConfig(t.TempDir(), RoleAsyncMaster, fileSize)
	c.HATransferBatchSize = 5000
	c.HASendHeartbeatInterval = 150 * time.Millisecond
	m := haOpen(t, c)
	haPutMany(t, m, 300, "w")
	end := m.CommitLog().MaxOffset()
	last := end - end%fileSize

	conn := haFakeSlave(t, m.HAAddr(), 0)
	next := last
	sawHeartbeat := false
	began := time.Now()
	for !sawHeartbeat {
		if time.Since(began) > 5*time.Second {
			t.Fatalf("stream stalled at %d (end %d)", next, end)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var hdr [12]byte
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			t.Fatal(err)
		}
		off := int64(binary.BigEndian.Uint64(hdr[:]))
		size := int(binary.BigEndian.Uint32(hdr[8:]))
		if off != next {
			t.Fatalf("frame at %d, want %d", off, next)
		}
		if size == 0 {
			if off != end {
				t.Fatalf("heartbeat at %d before the end %d", off, end)
			}
			sawHeartbeat = true
			continue
		}
		if size > 5000 || off/fileSize != (off+int64(size)-1)/fileSize {
			t.Fatalf("frame [%d,+%d) exceeds the batch or crosses a file", off, size)
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(conn, body); err != nil {
			t.Fatal(err)
		}
		v, ok := m.CommitLog().Read(off, size)
		if !ok || !bytes.Equal(v.Bytes, body) {
			t.Fatalf("frame at %d is not the commitlog's bytes", off)
		}
		v.Release()
		next += int64(size)
	}
	if m.SlaveAckOffset() != 0 {
		t.Fatalf("ack %d before any report but 0", m.SlaveAckOffset())
	}
	haReport(t, conn, end)
	haWait(t, 5*time.Second, "the ack", func() bool { return m.SlaveAckOffset() == end })
}

// TestHASlaveLearnsMasterLate: a slave started without a master address
// follows the one SetHAMasterAddr gives it (as the broker learns it from
// the name server), and heartbeats keep an idle connection up beyond the
// housekeeping interval.
func TestHASlaveLearnsMasterLate(t *testing.T) {
	mc := haStoreConfig(t.TempDir(), RoleAsyncMaster, 64<<10)
	mc.HASendHeartbeatInterval = 50 * time.Millisecond
	mc.HAHousekeepingInterval = 300 * time.Millisecond
	m := haOpen(t, mc)
	haPutMany(t, m, 100, "early")
	sc := haStoreConfig(t.TempDir(), RoleSlave, 64<<10)
	sc.HASendHeartbeatInterval = 50 * time.Millisecond
	sc.HAHousekeepingInterval = 300 * time.Millisecond
	s := haOpen(t, sc)
	time.Sleep(100 * time.Millisecond)
	if m.HAConnections() != 0 || s.CommitLog().MaxOffset() != 0 {
		t.Fatal("a slave without a master address connected somewhere")
	}
	s.SetHAMasterAddr(m.HAAddr())
	haCaughtUp(t, m, s)
	// Idle for several housekeeping intervals: the same connection stays.
	time.Sleep(time.Second)
	if m.HAConnections() != 1 || !s.HAMasterConnected() {
		t.Fatalf("idle connection dropped: master sees %d", m.HAConnections())
	}
	haPutMany(t, m, 100, "late")
	haCaughtUp(t, m, s)
}

// TestHAJavaMaster: a store the Java 4.9.7 broker wrote, opened as a
// master, streams to an empty Go slave: the slave gets the master's last
// file byte for byte and dispatches its messages into the same queue
// entries.
func TestHAJavaMaster(t *testing.T) {
	mroot := copyTree(t, filepath.Join(javaStores, "store-small"))
	mc := fixtureConfig(mroot)
	mc.HAListenAddr = "127.0.0.1:0"
	m := haOpen(t, mc)
	const javaEnd, lastFile = 1410097, 1 << 20
	if m.CommitLog().MaxOffset() != javaEnd {
		t.Fatalf("Java store ends at %d", m.CommitLog().MaxOffset())
	}
	sroot := t.TempDir()
	sc := fixtureConfig(sroot)
	sc.BrokerRole = RoleSlave
	sc.HAMasterAddr = m.HAAddr()
	s := haOpen(t, sc)
	haWait(t, 10*time.Second, "slave to reach the Java store's end", func() bool { return s.CommitLog().MaxOffset() == javaEnd })
	if s.CommitLog().MinOffset() != lastFile {
		t.Fatalf("slave starts at %d, want the Java store's last file %d", s.CommitLog().MinOffset(), lastFile)
	}
	// Every message of the manifest that lies in the replicated file is
	// at the same queue offset on the slave.
	raw, err := os.ReadFile(filepath.Join(javaStores, "store-small", "MANIFEST.json"))
	if err != nil {
		t.Fatal(err)
	}
	var mf struct {
		Fill []struct {
			Topic       string `json:"topic"`
			QueueID     int32  `json:"queueId"`
			QueueOffset int64  `json:"queueOffset"`
			CommitLog   int64  `json:"commitLogOffset"`
			StoreSize   int32  `json:"storeSize"`
		} `json:"fillMessages"`
	}
	if err := json.Unmarshal(raw, &mf); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, msg := range mf.Fill {
		if msg.CommitLog < lastFile {
			continue
		}
		haWait(t, 5*time.Second, "slave dispatch", func() bool {
			_, ok := s.Entry(msg.Topic, msg.QueueID, msg.QueueOffset)
			return ok
		})
		se, _ := s.Entry(msg.Topic, msg.QueueID, msg.QueueOffset)
		me, ok := m.Entry(msg.Topic, msg.QueueID, msg.QueueOffset)
		if !ok || se != me || se.Offset != msg.CommitLog || se.Size != msg.StoreSize {
			t.Errorf("%s/%d/%d: slave entry %+v, master %+v, Java offset %d", msg.Topic, msg.QueueID, msg.QueueOffset, se, me, msg.CommitLog)
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("checked %d messages in the last file", checked)
	}
	haCloseBoth(t, m, s)
	if files := haCommitlogFiles(t, sroot); len(files) != 1 || files[0] != fmt.Sprintf("%020d", lastFile) {
		t.Fatalf("slave commitlog files %v", files)
	}
	if n := haSameFiles(t, filepath.Join(javaStores, "store-small"), sroot, "commitlog"); n != 1 {
		t.Fatalf("compared %d files", n)
	}
}

// BenchmarkHAReplication: how fast an empty slave copies a 48 MiB
// commitlog over loopback (MB/s is the replication throughput).
func BenchmarkHAReplication(b *testing.B) {
	const fileSize, total = 64 << 20, 48 << 20
	mc := haStoreConfig(b.TempDir(), RoleAsyncMaster, fileSize)
	m := haOpen(b, mc)
	rec := haRecord(b, "T", 0, strings.Repeat("b", 1000))
	for m.CommitLog().MaxOffset() < total {
		if _, err := m.Put("T", 0, append([]byte(nil), rec...)); err != nil {
			b.Fatal(err)
		}
	}
	end := m.CommitLog().MaxOffset()
	b.SetBytes(end)
	b.ResetTimer()
	for range b.N {
		sc := haStoreConfig(b.TempDir(), RoleSlave, fileSize)
		sc.HAMasterAddr = m.HAAddr()
		sc.MessageIndexEnable = false
		s, err := Open(sc)
		if err != nil {
			b.Fatal(err)
		}
		for s.CommitLog().MaxOffset() < end {
			time.Sleep(100 * time.Microsecond)
		}
		b.StopTimer()
		_ = s.Close(context.Background())
		b.StartTimer()
	}
}

// BenchmarkHASyncMasterPut: SYNC_MASTER put latency with one slave on
// loopback, sequential and with 16 senders; p50 and p99 are reported.
func BenchmarkHASyncMasterPut(b *testing.B) {
	for _, senders := range []int{1, 16} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			m := haOpen(b, haStoreConfig(b.TempDir(), RoleSyncMaster, 64<<20))
			sc := haStoreConfig(b.TempDir(), RoleSlave, 64<<20)
			sc.HAMasterAddr = m.HAAddr()
			haOpen(b, sc)
			haWait(b, 5*time.Second, "slave", func() bool { return m.HAConnections() == 1 })
			rec := haRecord(b, "T", 0, strings.Repeat("b", 1000))
			lat := make([]time.Duration, b.N)
			var next sync.Mutex
			i := 0
			b.SetBytes(int64(len(rec)))
			b.ResetTimer()
			var wg sync.WaitGroup
			for range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]byte, len(rec))
					for {
						next.Lock()
						n := i
						i++
						next.Unlock()
						if n >= b.N {
							return
						}
						copy(buf, rec)
						began := time.Now()
						if _, err := m.Put("T", 0, buf); err != nil {
							b.Error(err)
							return
						}
						lat[n] = time.Since(began)
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			sort.Slice(lat, func(x, y int) bool { return lat[x] < lat[y] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
