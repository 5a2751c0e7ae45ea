package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles mqadmin into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mqadmin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs the built tool and returns its output and exit status.
func runBinary(t *testing.T, bin string, environ []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), environ...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// TestBinaryExitStatus runs the built command: 0 on success, 1 with the
// server's address and response code on stderr when a server refuses, 1
// on a usage error; NAMESRV_ADDR is read from the environment and -n wins
// over it; an interval clusterList stops cleanly on SIGINT.
func TestBinaryExitStatus(t *testing.T) {
	bin := buildBinary(t)
	c := startCluster(t, "", nil)
	env := []string{"NAMESRV_ADDR=" + c.nsAddr}

	r := runBinary(t, bin, nil)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "The most commonly used mqadmin commands are:\n") {
		t.Fatalf("no args: %d\n%s", r.code, r.stdout)
	}
	r = runBinary(t, bin, env, "clusterList")
	if r.code != 0 || !strings.Contains(r.stdout, c.brokerAddr) {
		t.Fatalf("clusterList: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runBinary(t, bin, env, "topicRoute", "-t", "NoSuchTopic")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "namesrv "+c.nsAddr) || !strings.Contains(r.stderr, "code 17 (TOPIC_NOT_EXIST)") {
		t.Fatalf("unknown topic: %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	r = runBinary(t, bin, env, "topicRoute")
	if r.code != 1 || !strings.Contains(r.stdout, "usage: mqadmin topicRoute") {
		t.Fatalf("usage error: %d\n%s", r.code, r.stdout)
	}
	r = runBinary(t, bin, env, "getNamesrvConfig", "-n", "127.0.0.1:1")
	if r.code != 1 || !strings.Contains(r.stderr, "namesrv 127.0.0.1:1") {
		t.Fatalf("-n over NAMESRV_ADDR: %d %q", r.code, r.stderr)
	}
	r = runBinary(t, bin, env, "topicList", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"topicList": [`) {
		t.Fatalf("topicList --json: %d\n%s", r.code, r.stdout)
	}

	cmd := exec.Command(bin, "clusterList", "-i", "1")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	titles := 0
	deadline := time.AfterFunc(10*time.Second, func() { _ = cmd.Process.Kill() })
	defer deadline.Stop()
	for titles < 2 && sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#Cluster Name") {
			titles++
		}
	}
	if titles < 2 {
		t.Fatalf("clusterList -i 1 printed %d tables", titles)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("clusterList -i after SIGINT: %v", err)
	}
}
