package configfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/sirupsen/logrus"
)

// Suffixes of the companion files (Java MixAll.string2File).
const (
	TmpSuffix = ".tmp"
	BakSuffix = ".bak"
)

// File is one config file and its .bak/.tmp companions. Its methods may be
// called from several goroutines, but whole Write calls should be ordered by
// the owner (a manager persists under its own lock) so a file never goes
// back in time.
type File struct {
	path string
	log  logrus.FieldLogger

	mu sync.Mutex
	// primaryRejected is set when Load found the primary file unreadable or
	// unparsable: the next Write must not copy it over the good backup.
	primaryRejected bool
	// crashAt, in tests, stops Write after the named step as a crash would.
	crashAt func(step string) error
}

// New returns the config file at path. A nil logger means the logrus
// standard logger.
func New(path string, log logrus.FieldLogger) *File {
	if log == nil {
		log = logrus.StandardLogger()
	}
	return &File{path: path, log: log.WithField("file", path)}
}

// Path is the primary file's path.
func (f *File) Path() string { return f.path }

// Write replaces the file's content crash-safely (see the package doc).
func Write(path string, data []byte) error { return New(path, nil).Write(data) }

// Load returns the content of path, or of path.bak when path is missing or
// empty, and the name of the file it came from; ("", nil data) when neither
// exists.
func Load(path string) (data []byte, from string, err error) { return New(path, nil).Load() }

// LoadWith hands the content of path to parse, falling back to path.bak
// when path is missing, empty or rejected by parse. parse is not called
// when neither file exists. parse must leave no trace when it fails.
func LoadWith(path string, parse func([]byte) error) error {
	_, err := New(path, nil).LoadWith(parse)
	return err
}

// Write replaces the file's content: data goes to X.tmp (fsynced), the
// current X is copied to X.bak (fsynced), X.tmp is renamed over X and the
// directory is fsynced.
func (f *File) Write(data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("configfile: create %s: %w", dir, err)
	}
	tmp := f.path + TmpSuffix
	if err := writeSynced(tmp, data); err != nil {
		return fmt.Errorf("configfile: write %s: %w", tmp, err)
	}
	if err := f.step("tmp"); err != nil {
		return err
	}
	if err := f.backUp(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := f.step("bak"); err != nil {
		return err
	}
	if err := os.Rename(tmp, f.path); err != nil {
		return fmt.Errorf("configfile: rename %s: %w", tmp, err)
	}
	f.primaryRejected = false
	if err := f.step("rename"); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("configfile: sync directory %s: %w", dir, err)
	}
	return nil
}

// backUp copies the current primary file to X.bak. An empty, missing or
// rejected primary is not copied: the backup already holds something
// better.
func (f *File) backUp() error {
	if f.primaryRejected {
		f.log.Warn("not backing up the rejected config file; keeping the existing backup")
		return nil
	}
	prev, err := os.ReadFile(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		f.log.WithError(err).Warn("config file unreadable; replacing it without a new backup")
		return nil
	case len(prev) == 0:
		return nil
	}
	bak := f.path + BakSuffix
	if err := writeSynced(bak, prev); err != nil {
		return fmt.Errorf("configfile: write %s: %w", bak, err)
	}
	return nil
}

func (f *File) step(name string) error {
	if f.crashAt == nil {
		return nil
	}
	return f.crashAt(name)
}

// Load returns the primary file's content, or the backup's when the
// primary is missing, empty or unreadable, with the path it came from.
// Neither file existing gives (nil, "", nil).
func (f *File) Load() (data []byte, from string, err error) {
	from, err = f.LoadWith(func(b []byte) error {
		data = b
		return nil
	})
	return data, from, err
}

// LoadWith hands the primary file's content to parse and, when the primary
// is missing, empty, unreadable or rejected by parse, the backup's. It
// returns the path that was parsed, or "" when neither file exists (parse
// not called). A backup that parse rejects, or a rejected primary without a
// backup, is an error. parse must leave no trace when it fails.
func (f *File) LoadWith(parse func([]byte) error) (from string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, err := os.ReadFile(f.path)
	var primaryErr error
	switch {
	case err == nil && len(data) > 0:
		perr := parse(data)
		if perr == nil {
			f.primaryRejected = false
			return f.path, nil
		}
		primaryErr = fmt.Errorf("parse %s: %w", f.path, perr)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		primaryErr = fmt.Errorf("read %s: %w", f.path, err)
	}
	if primaryErr != nil {
		f.primaryRejected = true
	}

	bak := f.path + BakSuffix
	data, err = os.ReadFile(bak)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(data) == 0) {
		if primaryErr != nil {
			return "", fmt.Errorf("configfile: %w (and no backup)", primaryErr)
		}
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("configfile: read %s: %w", bak, err)
	}
	entry := f.log.WithField("backup", bak)
	if primaryErr != nil {
		entry = entry.WithError(primaryErr)
	}
	entry.Warn("config file missing, empty or unusable; loading the backup")
	if perr := parse(data); perr != nil {
		if primaryErr != nil {
			return "", fmt.Errorf("configfile: parse %s: %w (after: %v)", bak, perr, primaryErr)
		}
		return "", fmt.Errorf("configfile: parse %s: %w", bak, perr)
	}
	return bak, nil
}

// writeSynced writes data to path (created or truncated) and fsyncs it.
func writeSynced(path string, data []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
