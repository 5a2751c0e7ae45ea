package compat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/admin"
	clienterrors "github.com/apache/rocketmq-client-go/v2/errors"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// buildBinary compiles ./cmd/<name> into a temp dir.
func buildBinary(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/"+name).CombinedOutput()
	if err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return bin
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// brokerPorts picks a NameServer port and, per broker, a port whose next
// port is free too: a broker's HA listener always takes listenPort+1 (Java
// BrokerStartup), and an ephemeral client port there fails its start.
func brokerPorts(t *testing.T, brokers int) (int, []int) {
	t.Helper()
	taken := map[int]bool{}
	ns := freePort(t)
	taken[ns] = true
	var out []int
	for len(out) < brokers {
		p := freePort(t)
		if taken[p] || taken[p+1] {
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		if err != nil {
			continue
		}
		_ = l.Close()
		taken[p], taken[p+1] = true, true
		out = append(out, p)
	}
	return ns, out
}

// startProcess starts bin and makes sure it is gone when the test ends,
// pass or fail.
func startProcess(t *testing.T, bin string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, &out
}

func waitListening(t *testing.T, addr string, out *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never listened:\n%s", addr, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMqnamesrvProcess runs the real mqnamesrv binary as an operator would:
// -p prints the effective config, -c takes a Java properties file, the
// Go client's route lookup is answered, and SIGTERM stops it cleanly.
func TestMqnamesrvProcess(t *testing.T) {
	bin := buildBinary(t, "mqnamesrv")
	port := freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "namesrv.properties")
	kv := filepath.Join(dir, "kvConfig.json")
	props := fmt.Sprintf("listenPort=%d\nkvConfigPath=%s\nnoSuchKey=1\n", port, kv)
	if err := os.WriteFile(conf, []byte(props), 0o644); err != nil {
		t.Fatal(err)
	}

	printed, err := exec.Command(bin, "-c", conf, "-p").CombinedOutput()
	if err != nil {
		t.Fatalf("-p: %v\n%s", err, printed)
	}
	for _, want := range []string{fmt.Sprintf("listenPort=%d", port), "kvConfigPath=" + kv, "orderMessageEnable=false"} {
		if !strings.Contains(string(printed), want) {
			t.Fatalf("-p output lacks %q:\n%s", want, printed)
		}
	}

	cmd, out := startProcess(t, bin, "-c", conf)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitListening(t, addr, out)

	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver([]string{addr})))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = adm.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := adm.FetchPublishMessageQueues(ctx, "ProcessTopic"); !errors.Is(err, clienterrors.ErrTopicNotExist) {
		t.Fatalf("route lookup: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, out)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("mqnamesrv did not stop on SIGTERM:\n%s", out)
	}
	if !strings.Contains(out.String(), "noSuchKey") {
		t.Errorf("unknown config key not warned about:\n%s", out)
	}
}
