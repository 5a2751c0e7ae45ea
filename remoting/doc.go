// Package remoting is RocketMQ's remoting transport: a gnet v2 server that
// decodes frames on its event loops and dispatches them by request code, and
// a plain-net client for the calls rocketgo makes itself (broker to
// NameServer, slave to master, tools, tests).
//
// It knows frames, codes and connections, nothing of topics or messages.
// The Java counterparts are NettyRemotingServer, NettyRemotingClient and
// NettyRemotingAbstract.
package remoting
