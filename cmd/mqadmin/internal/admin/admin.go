// Package admin is the client side of mqadmin: the NameServer and broker
// calls Java's DefaultMQAdminExt, MQClientAPIImpl and MQAdminImpl make for
// the admin sub-commands, built on rocketgo's own remoting client, with the
// replies decoded into plain Go values. It knows nothing of output formats;
// cmd/mqadmin renders what it returns.
//
// Errors from a server carry the address, the request and the response code
// and remark (RemoteError), so an operator sees which broker or NameServer
// refused what.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// ToolsConsumerGroup is the group the Java tools pull with
// (MixAll.TOOLS_CONSUMER_GROUP).
const ToolsConsumerGroup = "TOOLS_CONSUMER"

// RetryGroupTopicPrefix and DLQGroupTopicPrefix name a group's retry and
// dead-letter topics (MixAll).
const (
	RetryGroupTopicPrefix = "%RETRY%"
	DLQGroupTopicPrefix   = "%DLQ%"
)

// Config configures an Admin.
type Config struct {
	// NamesrvAddrs are the NameServers, tried in order (Java's
	// "a:9876;b:9876" list, split).
	NamesrvAddrs []string
	// Timeout bounds each call (default 5 s, DefaultMQAdminExt's
	// timeoutMillis).
	Timeout time.Duration
	// Logger receives the remoting client's logs (default: discarded, a
	// CLI prints errors itself).
	Logger logrus.FieldLogger
}

// Admin makes the admin calls. It owns one remoting client; Close it.
type Admin struct {
	cfg    Config
	client *remoting.Client
	ids    idGen
}

// New returns an Admin; it dials nothing until the first call.
func New(cfg Config) *Admin {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Logger == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		cfg.Logger = l
	}
	return &Admin{cfg: cfg, client: remoting.NewClient(remoting.ClientConfig{
		DialTimeout:    cfg.Timeout,
		RequestTimeout: cfg.Timeout,
		Logger:         cfg.Logger,
	})}
}

// Close closes every connection.
func (a *Admin) Close() { a.client.Close() }

// NamesrvAddrs returns the configured NameServers.
func (a *Admin) NamesrvAddrs() []string { return append([]string(nil), a.cfg.NamesrvAddrs...) }

// SplitNamesrvAddrs splits Java's "a:9876;b:9876" list, dropping blanks.
func SplitNamesrvAddrs(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Role names the kind of server an address belongs to, for error messages.
type Role string

// Server roles.
const (
	RoleNamesrv Role = "namesrv"
	RoleBroker  Role = "broker"
)

// RemoteError is a reply whose code is not the success the caller wanted
// (Java MQBrokerException / MQClientException with a response code).
type RemoteError struct {
	Role    Role
	Addr    string
	Request requestcode.RequestCode
	Code    requestcode.ResponseCode
	Remark  string
}

func (e *RemoteError) Error() string {
	s := fmt.Sprintf("%s %s answered %s with code %d (%s)", e.Role, e.Addr, e.Request, int32(e.Code), e.Code)
	if e.Remark != "" {
		s += ": " + e.Remark
	}
	return s
}

// ResponseCode returns the response code of a RemoteError in err's chain.
func ResponseCode(err error) (requestcode.ResponseCode, bool) {
	var re *RemoteError
	if errors.As(err, &re) {
		return re.Code, true
	}
	return 0, false
}

// ErrNoNamesrv is returned by NameServer calls when no address is set.
var ErrNoNamesrv = errors.New("no NameServer address: pass -n host:port or set NAMESRV_ADDR")

// newRequest builds a request with the given extFields, in order.
func newRequest(code requestcode.RequestCode, fields ...string) *codec.Command {
	req := codec.NewRequest(int32(code), 0)
	for i := 0; i+1 < len(fields); i += 2 {
		req.Set(fields[i], fields[i+1])
	}
	return req
}

// invoke sends req to one server and returns the reply; transport failures
// are wrapped with the role, address and request.
func (a *Admin) invoke(ctx context.Context, role Role, addr string, req *codec.Command) (*codec.Command, error) {
	if addr == "" {
		return nil, fmt.Errorf("%s to %s: no address", requestcode.RequestCode(req.Code), role)
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	resp, err := a.client.Invoke(ctx, addr, req)
	if err != nil {
		return nil, fmt.Errorf("%s to %s %s: %w", requestcode.RequestCode(req.Code), role, addr, err)
	}
	return resp, nil
}

// call is invoke plus the check that the reply's code is one of want
// (SUCCESS when none is given).
func (a *Admin) call(ctx context.Context, role Role, addr string, req *codec.Command, want ...requestcode.ResponseCode) (*codec.Command, error) {
	resp, err := a.invoke(ctx, role, addr, req)
	if err != nil {
		return nil, err
	}
	if len(want) == 0 {
		want = []requestcode.ResponseCode{requestcode.Success}
	}
	for _, w := range want {
		if resp.Code == int32(w) {
			return resp, nil
		}
	}
	return nil, &RemoteError{Role: role, Addr: addr, Request: requestcode.RequestCode(req.Code),
		Code: requestcode.ResponseCode(resp.Code), Remark: resp.Remark}
}

// callNamesrv sends req to the first NameServer that answers, as Java's
// invokeSync(null, ...) does with its chosen NameServer; a transport
// failure moves on to the next one, a reply of any code ends the search.
func (a *Admin) callNamesrv(ctx context.Context, req *codec.Command) (*codec.Command, string, error) {
	if len(a.cfg.NamesrvAddrs) == 0 {
		return nil, "", ErrNoNamesrv
	}
	var errs []error
	for _, addr := range a.cfg.NamesrvAddrs {
		// Invoke assigns a fresh opaque on every attempt.
		resp, err := a.invoke(ctx, RoleNamesrv, addr, req)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if resp.Code != int32(requestcode.Success) {
			return nil, addr, &RemoteError{Role: RoleNamesrv, Addr: addr, Request: requestcode.RequestCode(req.Code),
				Code: requestcode.ResponseCode(resp.Code), Remark: resp.Remark}
		}
		return resp, addr, nil
	}
	return nil, "", errors.Join(errs...)
}
