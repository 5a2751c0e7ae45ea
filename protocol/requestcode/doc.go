// Package requestcode defines the request and response codes of the RocketMQ
// remoting protocol, with the numbers of Apache RocketMQ 4.9.7 plus the few
// 5.x request codes that 5.x clients, tools or brokers may send.
//
// A remoting frame's header has one code field. In a request it holds a
// RequestCode (what to do); in a response it holds a ResponseCode (how it
// went). Both types are int32 because the JSON header carries the full
// 32-bit value; the ROCKETMQ binary header only has 16 bits for it, so codes
// above 32767 (the 5.x pop codes) can only travel in JSON headers.
//
// # Naming
//
// Each Go constant is the Java constant name turned into CamelCase word by
// word: split at underscores, upper-case the first letter of each word and
// lower-case the rest, with no special treatment of initialisms. So
// GET_ROUTEINFO_BY_TOPIC is GetRouteinfoByTopic, SEND_MESSAGE_V2 is
// SendMessageV2, VIEW_MESSAGE_BY_ID is ViewMessageById and PULL_NOT_FOUND is
// PullNotFound. The String methods return the Java name exactly, and
// ParseRequestCode / ParseResponseCode map a Java name back to its code.
//
// # Roles used in the comments
//
// "Producer", "consumer" and "client" mean a RocketMQ client application;
// "admin" means operations tooling (mqadmin, DefaultMQAdminExt); "API" means a
// public client method such as queryMessage or viewMessage that applications
// call directly. "A → B" names who sends the request and who handles it.
package requestcode
