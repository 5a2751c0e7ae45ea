package configfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
)

var errCrash = errors.New("simulated crash")

func quietLogger() (*logrus.Logger, *test.Hook) {
	l, hook := test.NewNullLogger()
	return l, hook
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

// parseJSON accepts only complete JSON objects, as the managers' decoders do.
func parseJSON(into *string) func([]byte) error {
	return func(b []byte) error {
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*into = string(b)
		return nil
	}
}

func TestWriteCreatesDirectoryAndBackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config", "topics.json")
	if err := Write(path, []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := readFile(t, path); got != `{"v":1}` {
		t.Fatalf("first write: %q", got)
	}
	if _, ok := readFile(t, path+BakSuffix); ok {
		t.Fatal("first write made a backup of nothing")
	}
	if err := Write(path, []byte(`{"v":2}`)); err != nil {
		t.Fatal(err)
	}
	got, _ := readFile(t, path)
	bak, _ := readFile(t, path+BakSuffix)
	if got != `{"v":2}` || bak != `{"v":1}` {
		t.Fatalf("second write: file %q bak %q", got, bak)
	}
	if _, ok := readFile(t, path+TmpSuffix); ok {
		t.Fatal("tmp file left behind")
	}
}

// A crash after each step of Write leaves a store from which Load returns
// either the old or the new content, complete.
func TestWriteCrashAtEveryStep(t *testing.T) {
	tests := []struct {
		step string
		want string // what a restart loads
	}{
		{"tmp", `{"v":"old"}`},
		{"bak", `{"v":"old"}`},
		{"rename", `{"v":"new"}`},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "consumerOffset.json")
			log, _ := quietLogger()
			f := New(path, log)
			if err := f.Write([]byte(`{"v":"older"}`)); err != nil {
				t.Fatal(err)
			}
			if err := f.Write([]byte(`{"v":"old"}`)); err != nil {
				t.Fatal(err)
			}
			f.crashAt = func(step string) error {
				// Whatever the step, one of X and X.bak is complete now.
				x, _ := readFile(t, path)
				b, _ := readFile(t, path+BakSuffix)
				if !json.Valid([]byte(x)) && !json.Valid([]byte(b)) {
					t.Errorf("at %s neither file is complete: %q / %q", step, x, b)
				}
				if step == tt.step {
					return errCrash
				}
				return nil
			}
			if err := f.Write([]byte(`{"v":"new"}`)); !errors.Is(err, errCrash) {
				t.Fatalf("Write: %v", err)
			}
			var got string
			if _, err := New(path, log).LoadWith(parseJSON(&got)); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("after a crash at %s loaded %q, want %q", tt.step, got, tt.want)
			}
			// The broker goes on writing normally.
			if err := New(path, log).Write([]byte(`{"v":"next"}`)); err != nil {
				t.Fatal(err)
			}
			if x, _ := readFile(t, path); x != `{"v":"next"}` {
				t.Fatalf("write after restart: %q", x)
			}
			if _, ok := readFile(t, path+TmpSuffix); ok {
				t.Fatal("tmp file left behind after restart")
			}
		})
	}
}

func TestLoadFallbacks(t *testing.T) {
	tests := []struct {
		name     string
		primary  *string
		bak      *string
		tmp      *string
		want     string
		wantFrom string // "", "x" or "bak"
		wantErr  bool
		warns    bool
	}{
		{name: "primary good", primary: ptr(`{"a":1}`), bak: ptr(`{"a":0}`), want: `{"a":1}`, wantFrom: "x"},
		{name: "nothing stored", want: "", wantFrom: ""},
		{name: "missing primary, bak present", bak: ptr(`{"a":0}`), want: `{"a":0}`, wantFrom: "bak", warns: true},
		{name: "empty primary", primary: ptr(""), bak: ptr(`{"a":0}`), want: `{"a":0}`, wantFrom: "bak", warns: true},
		{name: "corrupt primary", primary: ptr(`{"a":`), bak: ptr(`{"a":0}`), want: `{"a":0}`, wantFrom: "bak", warns: true},
		{name: "leftover tmp ignored", primary: ptr(`{"a":1}`), tmp: ptr(`{"a":2}`), want: `{"a":1}`, wantFrom: "x"},
		{name: "leftover tmp only", tmp: ptr(`{"a":2}`), want: "", wantFrom: ""},
		{name: "corrupt primary, no bak", primary: ptr(`{"a":`), wantErr: true},
		{name: "corrupt primary, empty bak", primary: ptr(`garbage`), bak: ptr(""), wantErr: true},
		{name: "corrupt both", primary: ptr(`{"a":`), bak: ptr(`{"b":`), wantErr: true},
		{name: "missing primary, corrupt bak", bak: ptr(`nope`), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
			for suffix, content := range map[string]*string{"": tt.primary, BakSuffix: tt.bak, TmpSuffix: tt.tmp} {
				if content != nil {
					writeFile(t, path+suffix, *content)
				}
			}
			log, hook := quietLogger()
			var got string
			from, err := New(path, log).LoadWith(parseJSON(&got))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("no error; loaded %q from %q", got, from)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantFrom := map[string]string{"": "", "x": path, "bak": path + BakSuffix}[tt.wantFrom]
			if got != tt.want || from != wantFrom {
				t.Fatalf("loaded %q from %q, want %q from %q", got, from, tt.want, wantFrom)
			}
			warned := false
			for _, e := range hook.AllEntries() {
				if e.Level == logrus.WarnLevel && e.Data["file"] == path && e.Data["backup"] == path+BakSuffix {
					warned = true
				}
			}
			if warned != tt.warns {
				t.Fatalf("warning logged = %v, want %v", warned, tt.warns)
			}
		})
	}
}

// After Load had to skip a corrupt primary, the next Write keeps the good
// backup instead of copying the corrupt file over it.
func TestWriteAfterRejectedPrimaryKeepsBackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "topics.json")
	writeFile(t, path, `{"broken":`)
	writeFile(t, path+BakSuffix, `{"good":1}`)
	log, _ := quietLogger()
	f := New(path, log)
	var got string
	if _, err := f.LoadWith(parseJSON(&got)); err != nil || got != `{"good":1}` {
		t.Fatalf("load: %q %v", got, err)
	}
	if err := f.Write([]byte(`{"good":2}`)); err != nil {
		t.Fatal(err)
	}
	x, _ := readFile(t, path)
	bak, _ := readFile(t, path+BakSuffix)
	if x != `{"good":2}` || bak != `{"good":1}` {
		t.Fatalf("file %q bak %q", x, bak)
	}
	// From now on backups are made again.
	if err := f.Write([]byte(`{"good":3}`)); err != nil {
		t.Fatal(err)
	}
	if bak, _ := readFile(t, path+BakSuffix); bak != `{"good":2}` {
		t.Fatalf("bak %q", bak)
	}
}

// An empty primary (a truncated file) is not copied over the backup.
func TestWriteDoesNotBackUpEmptyPrimary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "delayOffset.json")
	writeFile(t, path, "")
	writeFile(t, path+BakSuffix, `{"offsetTable":{1:2}}`)
	if err := Write(path, []byte(`{"offsetTable":{1:3}}`)); err != nil {
		t.Fatal(err)
	}
	if bak, _ := readFile(t, path+BakSuffix); bak != `{"offsetTable":{1:2}}` {
		t.Fatalf("bak %q", bak)
	}
}

func TestLoadPlain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.json")
	data, from, err := Load(path)
	if err != nil || data != nil || from != "" {
		t.Fatalf("nothing: %q %q %v", data, from, err)
	}
	writeFile(t, path+BakSuffix, "B")
	data, from, err = Load(path)
	if err != nil || string(data) != "B" || from != path+BakSuffix {
		t.Fatalf("bak: %q %q %v", data, from, err)
	}
	writeFile(t, path, "X")
	data, from, err = Load(path)
	if err != nil || string(data) != "X" || from != path {
		t.Fatalf("primary: %q %q %v", data, from, err)
	}
	var seen []string
	err = LoadWith(path, func(b []byte) error {
		seen = append(seen, string(b))
		if bytes.Equal(b, []byte("X")) {
			return errors.New("reject X")
		}
		return nil
	})
	if err != nil || strings.Join(seen, ",") != "X,B" {
		t.Fatalf("LoadWith order %v err %v", seen, err)
	}
}

// A Write that cannot complete reports an error and leaves the old file.
func TestWriteErrorLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "topics.json")
	if err := Write(path, []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	// A directory where the backup should go makes the backup step fail.
	if err := os.Mkdir(path+BakSuffix, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte(`{"v":2}`)); err == nil {
		t.Fatal("no error")
	}
	if x, _ := readFile(t, path); x != `{"v":1}` {
		t.Fatalf("file %q", x)
	}
	if _, ok := readFile(t, path+TmpSuffix); ok {
		t.Fatal("tmp file left behind")
	}
}

func ptr(s string) *string { return &s }
