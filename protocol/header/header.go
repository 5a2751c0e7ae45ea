// Package header reads request extFields the way Java's
// RemotingCommand.decodeCommandCustomHeader does: a field annotated
// @CFNotNull that is absent fails the request with Java's text, numbers are
// decimal strings, booleans are Boolean.parseBoolean.
//
// Java logs a field that does not parse and leaves it null, which then
// fails the request (or throws a NullPointerException later); here a
// malformed number fails the request at once with a message naming the
// field.
package header

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rocketgo/rocketgo/remoting/codec"
)

// Missing is the error of an absent required field, worded as Java's
// RemotingCommandException.
func Missing(field string) error {
	return fmt.Errorf("org.apache.rocketmq.remoting.exception.RemotingCommandException: the custom field <%s> is null", field)
}

// Required returns a field that must be present.
func Required(req *codec.Command, field string) (string, error) {
	v, ok := req.Get(field)
	if !ok {
		return "", Missing(field)
	}
	return v, nil
}

// RequiredInt64 reads a required Long field.
func RequiredInt64(req *codec.Command, field string) (int64, error) {
	v, err := Required(req, field)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the custom field <%s> is not a number: %q", field, v)
	}
	return n, nil
}

// OptionalBool is Boolean.parseBoolean of an optional field.
func OptionalBool(req *codec.Command, field string) bool {
	v, _ := req.Get(field)
	return strings.EqualFold(v, "true")
}

// Reader decodes the fields of one header and keeps the first error, so a
// processor reads every field and checks once.
type Reader struct {
	req *codec.Command
	err error
}

// NewReader reads req's extFields.
func NewReader(req *codec.Command) Reader { return Reader{req: req} }

// Err is the first error met, nil if every field read so far was valid.
func (r *Reader) Err() error { return r.err }

func (r *Reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// String reads a required string field.
func (r *Reader) String(field string) string {
	v, ok := r.req.Get(field)
	if !ok {
		r.fail(Missing(field))
	}
	return v
}

// OptString reads an optional string field ("" when absent).
func (r *Reader) OptString(field string) string {
	v, _ := r.req.Get(field)
	return v
}

// Int64 reads a required Long field.
func (r *Reader) Int64(field string) int64 {
	v, ok := r.req.Get(field)
	if !ok {
		r.fail(Missing(field))
		return 0
	}
	return r.parse(field, v, 64)
}

// Int32 reads a required Integer field.
func (r *Reader) Int32(field string) int32 {
	v, ok := r.req.Get(field)
	if !ok {
		r.fail(Missing(field))
		return 0
	}
	return int32(r.parse(field, v, 32))
}

// OptInt64 reads an optional Long field, def when absent or empty.
func (r *Reader) OptInt64(field string, def int64) int64 {
	v, ok := r.req.Get(field)
	if !ok || v == "" {
		return def
	}
	return r.parse(field, v, 64)
}

// OptInt32 reads an optional Integer field, def when absent or empty.
func (r *Reader) OptInt32(field string, def int32) int32 {
	v, ok := r.req.Get(field)
	if !ok || v == "" {
		return def
	}
	return int32(r.parse(field, v, 32))
}

// HasField reports whether the field is present.
func (r *Reader) HasField(field string) bool {
	_, ok := r.req.Get(field)
	return ok
}

// Bool reads a boolean field; absent is false (a primitive's default).
func (r *Reader) Bool(field string) bool { return OptionalBool(r.req, field) }

func (r *Reader) parse(field, v string, bits int) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, bits)
	if err != nil {
		r.fail(fmt.Errorf("the custom field <%s> is not a number: %q", field, v))
		return 0
	}
	return n
}
