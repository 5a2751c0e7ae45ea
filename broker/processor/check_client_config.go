package processor

import (
	"encoding/json"

	"github.com/rocketgo/rocketgo/broker/consumerfilter"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// CheckClientConfig handles CHECK_CLIENT_CONFIG as Java's
// ClientManageProcessor.checkClientConfig: a consumer about to subscribe
// with a non-TAG expression asks whether the broker filters by that type
// and whether its expression compiles. (The Java client sends it when a
// consumer starts; rocketmq-client-go v2.1.2 never does.)
type CheckClientConfig struct {
	env     *Env
	filters *consumerfilter.Manager
}

// NewCheckClientConfig returns the processor; filters compiles the
// expressions.
func NewCheckClientConfig(env *Env, filters *consumerfilter.Manager) *CheckClientConfig {
	return &CheckClientConfig{env: env, filters: filters}
}

// checkClientBody is Java's CheckClientRequestBody; only the
// subscription's type and expression are consulted.
type checkClientBody struct {
	ClientID         string `json:"clientId"`
	Group            string `json:"group"`
	SubscriptionData *struct {
		Topic          string `json:"topic"`
		SubString      string `json:"subString"`
		ExpressionType string `json:"expressionType"`
	} `json:"subscriptionData"`
}

// ProcessRequest answers SUCCESS for TAG (or no subscription),
// SYSTEM_ERROR when property filtering is off, SUBSCRIPTION_PARSE_FAILED
// with the compiler's message when the expression does not compile.
func (p *CheckClientConfig) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	if req.Body == nil {
		// Java fails decoding a missing body (NullPointerException), which
		// its remoting layer answers as a system error.
		return respond(req, requestcode.SystemError, "CHECK_CLIENT_CONFIG without a body"), nil
	}
	var b checkClientBody
	if err := json.Unmarshal(req.Body, &b); err != nil {
		return respond(req, requestcode.SystemError, "malformed CHECK_CLIENT_CONFIG body: "+err.Error()), nil
	}
	sd := b.SubscriptionData
	if sd == nil || isTagType(sd.ExpressionType) {
		return respond(req, requestcode.Success, ""), nil
	}
	if !p.env.Settings().EnablePropertyFilter || p.filters == nil {
		return respond(req, requestcode.SystemError, "The broker does not support consumer to filter message by "+sd.ExpressionType), nil
	}
	if _, err := p.filters.Compile(sd.ExpressionType, sd.SubString); err != nil {
		p.env.Log.WithFields(logrus.Fields{"client": b.ClientID, "group": b.Group, "topic": sd.Topic,
			"expression": sd.SubString, "remote": c.RemoteAddr()}).WithError(err).Warn("client filter expression does not compile")
		return respond(req, requestcode.SubscriptionParseFailed, err.Error()), nil
	}
	return respond(req, requestcode.Success, ""), nil
}
