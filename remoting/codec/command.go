package codec

import (
	"strconv"
	"strings"
)

// SerializeType is the header serialization of a frame (Java SerializeType).
type SerializeType uint8

const (
	JSON     SerializeType = 0
	RocketMQ SerializeType = 1
)

func (t SerializeType) String() string {
	switch t {
	case JSON:
		return "JSON"
	case RocketMQ:
		return "ROCKETMQ"
	}
	return "SerializeType(" + strconv.Itoa(int(t)) + ")"
}

// LanguageCode is the sender's language (Java LanguageCode). JSON headers
// carry the name, ROCKETMQ headers the byte.
type LanguageCode uint8

const (
	LangJava   LanguageCode = 0
	LangCPP    LanguageCode = 1
	LangDotNet LanguageCode = 2
	LangPython LanguageCode = 3
	LangDelphi LanguageCode = 4
	LangErlang LanguageCode = 5
	LangRuby   LanguageCode = 6
	LangOther  LanguageCode = 7
	LangHTTP   LanguageCode = 8
	LangGo     LanguageCode = 9
	LangPHP    LanguageCode = 10
	LangOMS    LanguageCode = 11
	LangRust   LanguageCode = 12
	LangNodeJS LanguageCode = 13
)

var languageNames = [...]string{"JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY",
	"OTHER", "HTTP", "GO", "PHP", "OMS", "RUST", "NODE_JS"}

func (l LanguageCode) String() string {
	if int(l) < len(languageNames) {
		return languageNames[l]
	}
	return "LanguageCode(" + strconv.Itoa(int(l)) + ")"
}

// languageFromName maps a JSON language name to its code, ignoring case as
// fastjson's enum deserializer does. Unknown names map to LangOther, where
// Java would have null; the language only matters for logs and one admin
// body format.
func languageFromName(b []byte) LanguageCode {
	for i, n := range languageNames {
		if len(n) == len(b) && strings.EqualFold(n, string(b)) {
			return LanguageCode(i)
		}
	}
	return LangOther
}

// Flag bits of Command.Flag (Java RemotingCommand RPC_TYPE / RPC_ONEWAY are
// bit indexes 0 and 1).
const (
	FlagResponse int32 = 1 << 0
	FlagOneway   int32 = 1 << 1
)

// Version is the version ordinal rocketgo puts in the headers it writes:
// Java's MQVersion.Version.V4_9_7. Java clients read the broker's version
// from the HEART_BEAT response and refuse SQL92 pulls below V4_1_0.
const Version int32 = 407

// Field is one extFields entry.
type Field struct {
	Key, Value string
}

// Command is Java's RemotingCommand: one request or response.
type Command struct {
	Code     int32
	Language LanguageCode
	Version  int32
	Opaque   int32
	Flag     int32
	// Remark is the free text (usually an error message); "" is written as
	// absent.
	Remark string
	// Ext is extFields in wire order. nil means absent; a non-nil empty
	// slice is written as "extFields":{} in JSON, as Java does for a header
	// with no fields. Keys may repeat (Java's fast header encoders do that);
	// Get returns the last, as Java's HashMap would.
	Ext []Field
	// Body is the opaque payload after the header.
	Body []byte
	// Serialize is the header serialization this command arrived with, or
	// is to be written with.
	Serialize SerializeType

	extInline [16]Field
}

// IsResponse reports whether the response bit is set.
func (c *Command) IsResponse() bool { return c.Flag&FlagResponse != 0 }

// IsOneway reports whether the oneway bit is set. rocketmq-client-go never
// sets it, even for calls whose reply it ignores.
func (c *Command) IsOneway() bool { return c.Flag&FlagOneway != 0 }

// Get returns the value of key in extFields and whether it is present.
func (c *Command) Get(key string) (string, bool) {
	for i := len(c.Ext) - 1; i >= 0; i-- {
		if c.Ext[i].Key == key {
			return c.Ext[i].Value, true
		}
	}
	return "", false
}

// Value returns the value of key in extFields, or "" when absent.
func (c *Command) Value(key string) string {
	v, _ := c.Get(key)
	return v
}

// Set adds key=value to extFields, replacing an existing value.
func (c *Command) Set(key, value string) {
	for i := range c.Ext {
		if c.Ext[i].Key == key {
			c.Ext[i].Value = value
			return
		}
	}
	if c.Ext == nil {
		c.Ext = c.extInline[:0]
	}
	c.Ext = append(c.Ext, Field{key, value})
}

// SetEmptyExt makes extFields present but empty (JSON "extFields":{}), as
// Java writes for a response whose custom header has no non-null field.
func (c *Command) SetEmptyExt() {
	if c.Ext == nil {
		c.Ext = c.extInline[:0]
	}
}

// NewRequest returns a request with rocketgo's language and version.
func NewRequest(code int32, opaque int32) *Command {
	return &Command{Code: code, Language: LangJava, Version: Version, Opaque: opaque}
}

// NewResponse returns a response to req: same opaque and serialization,
// response bit set, as Java's NettyRemotingAbstract.processRequestCommand
// prepares every reply.
func NewResponse(req *Command, code int32, remark string) *Command {
	return &Command{
		Code:      code,
		Language:  LangJava,
		Version:   Version,
		Opaque:    req.Opaque,
		Flag:      FlagResponse,
		Remark:    remark,
		Serialize: req.Serialize,
	}
}
