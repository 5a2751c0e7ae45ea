// Package body holds the JSON bodies the NameServer and broker exchange
// (TopicRouteData, ClusterInfo, RegisterBrokerBody, TopicList, KVTable, ...)
// as plain data, with encoders that reproduce the byte shape Java 4.9.7's
// fastjson writes and decoders that accept both fastjson's output (unquoted
// integer map keys, numbers as strings) and standard JSON.
package body
