package namesrv

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// Header helpers: Java's decodeCommandCustomHeader rules. A missing
// @CFNotNull field fails the request with SYSTEM_ERROR and Java's text.

func missing(field string) error {
	return fmt.Errorf("org.apache.rocketmq.remoting.exception.RemotingCommandException: the custom field <%s> is null", field)
}

func required(req *codec.Command, field string) (string, error) {
	v, ok := req.Get(field)
	if !ok {
		return "", missing(field)
	}
	return v, nil
}

// requiredInt64 reads a Long field. Java logs a parse failure and leaves
// the field null, which then fails the request; so does this.
func requiredInt64(req *codec.Command, field string) (int64, error) {
	v, err := required(req, field)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the custom field <%s> is not a number: %q", field, v)
	}
	return n, nil
}

// optionalBool is Boolean.parseBoolean of an optional field.
func optionalBool(req *codec.Command, field string) bool {
	v, _ := req.Get(field)
	return strings.EqualFold(v, "true")
}

func success(req *codec.Command) *codec.Command {
	return codec.NewResponse(req, int32(requestcode.Success), "")
}

// successWithHeader is a SUCCESS whose response header class exists in
// Java: extFields is written even when empty.
func successWithHeader(req *codec.Command) *codec.Command {
	resp := success(req)
	resp.SetEmptyExt()
	return resp
}
