package compat

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binaries builds each command once per test run: every cluster test
// starts the real processes. The servers are built with the race detector,
// so a data race in rocketgo fails the test that triggered it (see
// checkRaces); the test binary itself runs without it, because
// rocketmq-client-go v2.1.2 has data races of its own (its rebalance and
// route-refresh goroutines share SubscriptionData unguarded) that would
// fail every consumer test whatever the server does.
type binaries struct {
	once sync.Once
	dir  string
	err  error
}

var bins binaries

func binary(t *testing.T, name string) string {
	t.Helper()
	bins.once.Do(func() {
		bins.dir, bins.err = os.MkdirTemp("", "rocketgo-compat-bin-")
		if bins.err != nil {
			return
		}
		for n, pkg := range map[string]string{"rocketgo": "../cmd/rocketgo", "mqbroker": "../cmd/mqbroker",
			"mqnamesrv": "../cmd/mqnamesrv", "pullprobe": "./pullprobe"} {
			args := []string{"build", "-o", filepath.Join(bins.dir, n)}
			if n != "pullprobe" {
				args = append(args, "-race")
			}
			out, err := exec.Command("go", append(args, pkg)...).CombinedOutput()
			if err != nil {
				bins.err = fmt.Errorf("build %s: %v\n%s", n, err, out)
				return
			}
		}
	})
	if bins.err != nil {
		t.Fatal(bins.err)
	}
	return filepath.Join(bins.dir, name)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bins.dir != "" {
		_ = os.RemoveAll(bins.dir)
	}
	os.Exit(code)
}

// cluster is a standalone rocketgo process (NameServer + broker) on free
// loopback ports with its data in a temp dir.
type cluster struct {
	t          *testing.T
	dir        string
	conf       string
	nsPort     int
	brokerPort int
	cmd        *exec.Cmd
	out        *bytes.Buffer
}

// Namesrv is the NameServer address clients resolve with.
func (c *cluster) Namesrv() string { return "127.0.0.1:" + strconv.Itoa(c.nsPort) }

// Broker is the broker's address.
func (c *cluster) Broker() string { return "127.0.0.1:" + strconv.Itoa(c.brokerPort) }

// startCluster starts rocketgo with the given broker.conf lines on top of
// test-sized defaults (small mapped files, SYNC_FLUSH so acknowledged
// means on disk).
func startCluster(t *testing.T, conf ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, dir: t.TempDir()}
	ns, ports := brokerPorts(t, 1)
	c.nsPort, c.brokerPort = ns, ports[0]
	lines := append([]string{
		"brokerClusterName=CompatCluster",
		"brokerName=broker-compat",
		"flushDiskType=SYNC_FLUSH",
		"mappedFileSizeCommitLog=4194304",
		"mappedFileSizeConsumeQueue=60000",
		"maxHashSlotNum=1000",
		"maxIndexNum=4000",
		"flushConsumerOffsetInterval=1000",
	}, conf...)
	c.conf = filepath.Join(c.dir, "broker.conf")
	if err := os.WriteFile(c.conf, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.start()
	t.Cleanup(func() {
		c.kill()
		checkRaces(t, c.out)
	})
	return c
}

// checkRaces fails the test when a server process reported a data race.
func checkRaces(t *testing.T, out *bytes.Buffer) {
	t.Helper()
	if i := strings.Index(out.String(), "WARNING: DATA RACE"); i >= 0 {
		end := min(len(out.String()), i+6000)
		t.Errorf("rocketgo reported a data race:\n%s", out.String()[i:end])
	}
}

func (c *cluster) start() {
	c.t.Helper()
	if c.out != nil {
		checkRaces(c.t, c.out)
	}
	c.cmd, c.out = startProcess(c.t, binary(c.t, "rocketgo"), "-data", filepath.Join(c.dir, "data"),
		"-namesrv-port", strconv.Itoa(c.nsPort), "-broker-port", strconv.Itoa(c.brokerPort), "-c", c.conf)
	waitListening(c.t, c.Broker(), c.out)
	waitListening(c.t, c.Namesrv(), c.out)
	// Ready means registered: the broker listens before its first
	// REGISTER_BROKER is answered.
	waitRoute(c.t, c, "TBW102", 8)
}

// stop sends SIGTERM and waits for a clean exit.
func (c *cluster) stop() {
	c.t.Helper()
	if c.cmd == nil || c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			c.t.Fatalf("rocketgo exit after SIGTERM: %v\n%s", err, c.out)
		}
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
		c.t.Fatalf("rocketgo did not stop on SIGTERM:\n%s", c.out)
	}
}

// kill sends SIGKILL (a crash).
func (c *cluster) kill() {
	if c.cmd == nil || c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// restart starts the process again on the same ports and data.
func (c *cluster) restart() {
	c.t.Helper()
	c.start()
}

// eventually polls cond until it reports "" (done), failing the test with
// cond's last report once within has passed.
func eventually(t *testing.T, within time.Duration, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		why := cond()
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(why)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
