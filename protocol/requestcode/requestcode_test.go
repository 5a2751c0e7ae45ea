package requestcode

import (
	"fmt"
	"testing"
)

// javaRequestCodes holds every request code as (Java name, number), taken
// from RequestCode.java of rocketmq-all-4.9.7 (v5=false) and, for the 5.x
// additions, of rocketmq-all-5.3.1 (v5=true). The third column is the Go
// constant that must carry that number and name.
var javaRequestCodes = []struct {
	name string
	num  int32
	code RequestCode
	v5   bool
}{
	{"SEND_MESSAGE", 10, SendMessage, false},
	{"PULL_MESSAGE", 11, PullMessage, false},
	{"QUERY_MESSAGE", 12, QueryMessage, false},
	{"QUERY_BROKER_OFFSET", 13, QueryBrokerOffset, false},
	{"QUERY_CONSUMER_OFFSET", 14, QueryConsumerOffset, false},
	{"UPDATE_CONSUMER_OFFSET", 15, UpdateConsumerOffset, false},
	{"UPDATE_AND_CREATE_TOPIC", 17, UpdateAndCreateTopic, false},
	{"GET_ALL_TOPIC_CONFIG", 21, GetAllTopicConfig, false},
	{"GET_TOPIC_CONFIG_LIST", 22, GetTopicConfigList, false},
	{"GET_TOPIC_NAME_LIST", 23, GetTopicNameList, false},
	{"UPDATE_BROKER_CONFIG", 25, UpdateBrokerConfig, false},
	{"GET_BROKER_CONFIG", 26, GetBrokerConfig, false},
	{"TRIGGER_DELETE_FILES", 27, TriggerDeleteFiles, false},
	{"GET_BROKER_RUNTIME_INFO", 28, GetBrokerRuntimeInfo, false},
	{"SEARCH_OFFSET_BY_TIMESTAMP", 29, SearchOffsetByTimestamp, false},
	{"GET_MAX_OFFSET", 30, GetMaxOffset, false},
	{"GET_MIN_OFFSET", 31, GetMinOffset, false},
	{"GET_EARLIEST_MSG_STORETIME", 32, GetEarliestMsgStoretime, false},
	{"VIEW_MESSAGE_BY_ID", 33, ViewMessageById, false},
	{"HEART_BEAT", 34, HeartBeat, false},
	{"UNREGISTER_CLIENT", 35, UnregisterClient, false},
	{"CONSUMER_SEND_MSG_BACK", 36, ConsumerSendMsgBack, false},
	{"END_TRANSACTION", 37, EndTransaction, false},
	{"GET_CONSUMER_LIST_BY_GROUP", 38, GetConsumerListByGroup, false},
	{"CHECK_TRANSACTION_STATE", 39, CheckTransactionState, false},
	{"NOTIFY_CONSUMER_IDS_CHANGED", 40, NotifyConsumerIdsChanged, false},
	{"LOCK_BATCH_MQ", 41, LockBatchMq, false},
	{"UNLOCK_BATCH_MQ", 42, UnlockBatchMq, false},
	{"GET_ALL_CONSUMER_OFFSET", 43, GetAllConsumerOffset, false},
	{"GET_ALL_DELAY_OFFSET", 45, GetAllDelayOffset, false},
	{"CHECK_CLIENT_CONFIG", 46, CheckClientConfig, false},
	{"UPDATE_AND_CREATE_ACL_CONFIG", 50, UpdateAndCreateAclConfig, false},
	{"DELETE_ACL_CONFIG", 51, DeleteAclConfig, false},
	{"GET_BROKER_CLUSTER_ACL_INFO", 52, GetBrokerClusterAclInfo, false},
	{"UPDATE_GLOBAL_WHITE_ADDRS_CONFIG", 53, UpdateGlobalWhiteAddrsConfig, false},
	{"GET_BROKER_CLUSTER_ACL_CONFIG", 54, GetBrokerClusterAclConfig, false},
	{"PUT_KV_CONFIG", 100, PutKvConfig, false},
	{"GET_KV_CONFIG", 101, GetKvConfig, false},
	{"DELETE_KV_CONFIG", 102, DeleteKvConfig, false},
	{"REGISTER_BROKER", 103, RegisterBroker, false},
	{"UNREGISTER_BROKER", 104, UnregisterBroker, false},
	{"GET_ROUTEINFO_BY_TOPIC", 105, GetRouteinfoByTopic, false},
	{"GET_BROKER_CLUSTER_INFO", 106, GetBrokerClusterInfo, false},
	{"UPDATE_AND_CREATE_SUBSCRIPTIONGROUP", 200, UpdateAndCreateSubscriptiongroup, false},
	{"GET_ALL_SUBSCRIPTIONGROUP_CONFIG", 201, GetAllSubscriptiongroupConfig, false},
	{"GET_TOPIC_STATS_INFO", 202, GetTopicStatsInfo, false},
	{"GET_CONSUMER_CONNECTION_LIST", 203, GetConsumerConnectionList, false},
	{"GET_PRODUCER_CONNECTION_LIST", 204, GetProducerConnectionList, false},
	{"WIPE_WRITE_PERM_OF_BROKER", 205, WipeWritePermOfBroker, false},
	{"GET_ALL_TOPIC_LIST_FROM_NAMESERVER", 206, GetAllTopicListFromNameserver, false},
	{"DELETE_SUBSCRIPTIONGROUP", 207, DeleteSubscriptiongroup, false},
	{"GET_CONSUME_STATS", 208, GetConsumeStats, false},
	{"SUSPEND_CONSUMER", 209, SuspendConsumer, false},
	{"RESUME_CONSUMER", 210, ResumeConsumer, false},
	{"RESET_CONSUMER_OFFSET_IN_CONSUMER", 211, ResetConsumerOffsetInConsumer, false},
	{"RESET_CONSUMER_OFFSET_IN_BROKER", 212, ResetConsumerOffsetInBroker, false},
	{"ADJUST_CONSUMER_THREAD_POOL", 213, AdjustConsumerThreadPool, false},
	{"WHO_CONSUME_THE_MESSAGE", 214, WhoConsumeTheMessage, false},
	{"DELETE_TOPIC_IN_BROKER", 215, DeleteTopicInBroker, false},
	{"DELETE_TOPIC_IN_NAMESRV", 216, DeleteTopicInNamesrv, false},
	{"GET_KVLIST_BY_NAMESPACE", 219, GetKvlistByNamespace, false},
	{"RESET_CONSUMER_CLIENT_OFFSET", 220, ResetConsumerClientOffset, false},
	{"GET_CONSUMER_STATUS_FROM_CLIENT", 221, GetConsumerStatusFromClient, false},
	{"INVOKE_BROKER_TO_RESET_OFFSET", 222, InvokeBrokerToResetOffset, false},
	{"INVOKE_BROKER_TO_GET_CONSUMER_STATUS", 223, InvokeBrokerToGetConsumerStatus, false},
	{"GET_TOPICS_BY_CLUSTER", 224, GetTopicsByCluster, false},
	{"QUERY_TOPIC_CONSUME_BY_WHO", 300, QueryTopicConsumeByWho, false},
	{"REGISTER_FILTER_SERVER", 301, RegisterFilterServer, false},
	{"REGISTER_MESSAGE_FILTER_CLASS", 302, RegisterMessageFilterClass, false},
	{"QUERY_CONSUME_TIME_SPAN", 303, QueryConsumeTimeSpan, false},
	{"GET_SYSTEM_TOPIC_LIST_FROM_NS", 304, GetSystemTopicListFromNs, false},
	{"GET_SYSTEM_TOPIC_LIST_FROM_BROKER", 305, GetSystemTopicListFromBroker, false},
	{"CLEAN_EXPIRED_CONSUMEQUEUE", 306, CleanExpiredConsumequeue, false},
	{"GET_CONSUMER_RUNNING_INFO", 307, GetConsumerRunningInfo, false},
	{"QUERY_CORRECTION_OFFSET", 308, QueryCorrectionOffset, false},
	{"CONSUME_MESSAGE_DIRECTLY", 309, ConsumeMessageDirectly, false},
	{"SEND_MESSAGE_V2", 310, SendMessageV2, false},
	{"GET_UNIT_TOPIC_LIST", 311, GetUnitTopicList, false},
	{"GET_HAS_UNIT_SUB_TOPIC_LIST", 312, GetHasUnitSubTopicList, false},
	{"GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST", 313, GetHasUnitSubUnunitTopicList, false},
	{"CLONE_GROUP_OFFSET", 314, CloneGroupOffset, false},
	{"VIEW_BROKER_STATS_DATA", 315, ViewBrokerStatsData, false},
	{"CLEAN_UNUSED_TOPIC", 316, CleanUnusedTopic, false},
	{"GET_BROKER_CONSUME_STATS", 317, GetBrokerConsumeStats, false},
	{"UPDATE_NAMESRV_CONFIG", 318, UpdateNamesrvConfig, false},
	{"GET_NAMESRV_CONFIG", 319, GetNamesrvConfig, false},
	{"SEND_BATCH_MESSAGE", 320, SendBatchMessage, false},
	{"QUERY_CONSUME_QUEUE", 321, QueryConsumeQueue, false},
	{"QUERY_DATA_VERSION", 322, QueryDataVersion, false},
	{"RESUME_CHECK_HALF_MESSAGE", 323, ResumeCheckHalfMessage, false},
	{"SEND_REPLY_MESSAGE", 324, SendReplyMessage, false},
	{"SEND_REPLY_MESSAGE_V2", 325, SendReplyMessageV2, false},
	{"PUSH_REPLY_MESSAGE_TO_CLIENT", 326, PushReplyMessageToClient, false},
	{"ADD_WRITE_PERM_OF_BROKER", 327, AddWritePermOfBroker, false},
	{"GET_ALL_PRODUCER_INFO", 328, GetAllProducerInfo, false},
	{"DELETE_EXPIRED_COMMITLOG", 329, DeleteExpiredCommitlog, false},
	{"REGISTER_TOPIC_IN_NAMESRV", 217, RegisterTopicInNamesrv, true},
	{"GET_TOPIC_CONFIG", 351, GetTopicConfig, true},
	{"GET_SUBSCRIPTIONGROUP_CONFIG", 352, GetSubscriptiongroupConfig, true},
	{"LITE_PULL_MESSAGE", 361, LitePullMessage, true},
	{"QUERY_ASSIGNMENT", 400, QueryAssignment, true},
	{"SET_MESSAGE_REQUEST_MODE", 401, SetMessageRequestMode, true},
	{"POP_MESSAGE", 200050, PopMessage, true},
	{"ACK_MESSAGE", 200051, AckMessage, true},
	{"PEEK_MESSAGE", 200052, PeekMessage, true},
	{"CHANGE_MESSAGE_INVISIBLETIME", 200053, ChangeMessageInvisibletime, true},
	{"NOTIFICATION", 200054, Notification, true},
	{"POLLING_INFO", 200055, PollingInfo, true},
	{"BATCH_ACK_MESSAGE", 200151, BatchAckMessage, true},
}

// javaResponseCodes holds every response code of rocketmq-all-4.9.7 as
// (Java name, number): RemotingSysResponseCode.java followed by
// ResponseCode.java. The third column is the Go constant.
var javaResponseCodes = []struct {
	name string
	num  int32
	code ResponseCode
}{
	{"SUCCESS", 0, Success},
	{"SYSTEM_ERROR", 1, SystemError},
	{"SYSTEM_BUSY", 2, SystemBusy},
	{"REQUEST_CODE_NOT_SUPPORTED", 3, RequestCodeNotSupported},
	{"TRANSACTION_FAILED", 4, TransactionFailed},
	{"FLUSH_DISK_TIMEOUT", 10, FlushDiskTimeout},
	{"SLAVE_NOT_AVAILABLE", 11, SlaveNotAvailable},
	{"FLUSH_SLAVE_TIMEOUT", 12, FlushSlaveTimeout},
	{"MESSAGE_ILLEGAL", 13, MessageIllegal},
	{"SERVICE_NOT_AVAILABLE", 14, ServiceNotAvailable},
	{"VERSION_NOT_SUPPORTED", 15, VersionNotSupported},
	{"NO_PERMISSION", 16, NoPermission},
	{"TOPIC_NOT_EXIST", 17, TopicNotExist},
	{"TOPIC_EXIST_ALREADY", 18, TopicExistAlready},
	{"PULL_NOT_FOUND", 19, PullNotFound},
	{"PULL_RETRY_IMMEDIATELY", 20, PullRetryImmediately},
	{"PULL_OFFSET_MOVED", 21, PullOffsetMoved},
	{"QUERY_NOT_FOUND", 22, QueryNotFound},
	{"SUBSCRIPTION_PARSE_FAILED", 23, SubscriptionParseFailed},
	{"SUBSCRIPTION_NOT_EXIST", 24, SubscriptionNotExist},
	{"SUBSCRIPTION_NOT_LATEST", 25, SubscriptionNotLatest},
	{"SUBSCRIPTION_GROUP_NOT_EXIST", 26, SubscriptionGroupNotExist},
	{"FILTER_DATA_NOT_EXIST", 27, FilterDataNotExist},
	{"FILTER_DATA_NOT_LATEST", 28, FilterDataNotLatest},
	{"TRANSACTION_SHOULD_COMMIT", 200, TransactionShouldCommit},
	{"TRANSACTION_SHOULD_ROLLBACK", 201, TransactionShouldRollback},
	{"TRANSACTION_STATE_UNKNOW", 202, TransactionStateUnknow},
	{"TRANSACTION_STATE_GROUP_WRONG", 203, TransactionStateGroupWrong},
	{"NO_BUYER_ID", 204, NoBuyerId},
	{"NOT_IN_CURRENT_UNIT", 205, NotInCurrentUnit},
	{"CONSUMER_NOT_ONLINE", 206, ConsumerNotOnline},
	{"CONSUME_MSG_TIMEOUT", 207, ConsumeMsgTimeout},
	{"NO_MESSAGE", 208, NoMessage},
	{"UPDATE_AND_CREATE_ACL_CONFIG_FAILED", 209, UpdateAndCreateAclConfigFailed},
	{"DELETE_ACL_CONFIG_FAILED", 210, DeleteAclConfigFailed},
	{"UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED", 211, UpdateGlobalWhiteAddrsConfigFailed},
	{"FLOW_CONTROL", 215, FlowControl},
}

func TestRequestCodes(t *testing.T) {
	for _, tc := range javaRequestCodes {
		t.Run(tc.name, func(t *testing.T) {
			if int32(tc.code) != tc.num {
				t.Errorf("constant = %d, want %d", int32(tc.code), tc.num)
			}
			if got := tc.code.String(); got != tc.name {
				t.Errorf("String() = %q, want %q", got, tc.name)
			}
			if got := RequestCode(tc.num).String(); got != tc.name {
				t.Errorf("RequestCode(%d).String() = %q, want %q", tc.num, got, tc.name)
			}
		})
	}
}

func TestResponseCodes(t *testing.T) {
	for _, tc := range javaResponseCodes {
		t.Run(tc.name, func(t *testing.T) {
			if int32(tc.code) != tc.num {
				t.Errorf("constant = %d, want %d", int32(tc.code), tc.num)
			}
			if got := tc.code.String(); got != tc.name {
				t.Errorf("String() = %q, want %q", got, tc.name)
			}
			if got := ResponseCode(tc.num).String(); got != tc.name {
				t.Errorf("ResponseCode(%d).String() = %q, want %q", tc.num, got, tc.name)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	var v4, v5 int
	for _, tc := range javaRequestCodes {
		if tc.v5 {
			v5++
		} else {
			v4++
		}
	}
	if v4 != 96 {
		t.Errorf("4.9.7 request codes in the expected table = %d, want 96", v4)
	}
	if v5 != 13 {
		t.Errorf("5.x request codes in the expected table = %d, want 13", v5)
	}
	if n := len(javaResponseCodes); n != 37 {
		t.Errorf("response codes in the expected table = %d, want 37 (5 sys + 32)", n)
	}
	// The package must define exactly the codes in the expected tables:
	// nothing missing, nothing extra.
	if got, want := len(requestCodeTable), len(javaRequestCodes); got != want {
		t.Errorf("package defines %d request codes, want %d", got, want)
	}
	if got, want := len(responseCodeTable), len(javaResponseCodes); got != want {
		t.Errorf("package defines %d response codes, want %d", got, want)
	}
	if got, want := len(requestNames), len(javaRequestCodes); got != want {
		t.Errorf("request lookup has %d entries, want %d", got, want)
	}
	if got, want := len(responseNames), len(javaResponseCodes); got != want {
		t.Errorf("response lookup has %d entries, want %d", got, want)
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, tc := range javaRequestCodes {
		c, ok := ParseRequestCode(tc.name)
		if !ok || c != tc.code {
			t.Errorf("ParseRequestCode(%q) = %d, %v; want %d, true", tc.name, c, ok, tc.code)
		}
		if c, ok := ParseRequestCode(tc.code.String()); !ok || c != tc.code {
			t.Errorf("ParseRequestCode(%v.String()) = %d, %v", tc.code, c, ok)
		}
	}
	for _, tc := range javaResponseCodes {
		c, ok := ParseResponseCode(tc.name)
		if !ok || c != tc.code {
			t.Errorf("ParseResponseCode(%q) = %d, %v; want %d, true", tc.name, c, ok, tc.code)
		}
		if c, ok := ParseResponseCode(tc.code.String()); !ok || c != tc.code {
			t.Errorf("ParseResponseCode(%v.String()) = %d, %v", tc.code, c, ok)
		}
	}
}

func TestParseUnknown(t *testing.T) {
	for _, name := range []string{
		"", "send_message", "SendMessage", "SEND_MESSAGE ", "RequestCode(10)", "10",
		"PULL_NOT_FOUND", // a response name is not a request name
		"POLLING_FULL",   // 5.x response code, not defined here
	} {
		if c, ok := ParseRequestCode(name); ok || c != 0 {
			t.Errorf("ParseRequestCode(%q) = %d, %v; want 0, false", name, c, ok)
		}
	}
	for _, name := range []string{
		"", "success", "Success", "ResponseCode(0)", "0",
		"SEND_MESSAGE", // a request name is not a response name
		"POLLING_FULL", "BROKER_NOT_EXIST",
	} {
		if c, ok := ParseResponseCode(name); ok || c != 0 {
			t.Errorf("ParseResponseCode(%q) = %d, %v; want 0, false", name, c, ok)
		}
	}
}

func TestUnknownString(t *testing.T) {
	reqs := []struct {
		code RequestCode
		want string
	}{
		{0, "RequestCode(0)"},
		{16, "RequestCode(16)"},
		{-1, "RequestCode(-1)"},
		{330, "RequestCode(330)"},
		{904, "RequestCode(904)"}, // 5.x BROKER_HEARTBEAT, not defined here
		{2147483647, "RequestCode(2147483647)"},
		{-2147483648, "RequestCode(-2147483648)"},
	}
	for _, tc := range reqs {
		if got := tc.code.String(); got != tc.want {
			t.Errorf("RequestCode(%d).String() = %q, want %q", int32(tc.code), got, tc.want)
		}
		if got := fmt.Sprint(tc.code); got != tc.want {
			t.Errorf("fmt.Sprint(RequestCode(%d)) = %q, want %q", int32(tc.code), got, tc.want)
		}
	}
	resps := []struct {
		code ResponseCode
		want string
	}{
		{5, "ResponseCode(5)"},
		{212, "ResponseCode(212)"},
		{-1000, "ResponseCode(-1000)"},
		{1500, "ResponseCode(1500)"},
		{2147483647, "ResponseCode(2147483647)"},
	}
	for _, tc := range resps {
		if got := tc.code.String(); got != tc.want {
			t.Errorf("ResponseCode(%d).String() = %q, want %q", int32(tc.code), got, tc.want)
		}
		if got := fmt.Sprint(tc.code); got != tc.want {
			t.Errorf("fmt.Sprint(ResponseCode(%d)) = %q, want %q", int32(tc.code), got, tc.want)
		}
	}
}

// TestSameNumberDifferentType checks that a number shared by a request and a
// response code prints according to its type.
func TestSameNumberDifferentType(t *testing.T) {
	cases := []struct {
		num       int32
		req, resp string
	}{
		{10, "SEND_MESSAGE", "FLUSH_DISK_TIMEOUT"},
		{17, "UPDATE_AND_CREATE_TOPIC", "TOPIC_NOT_EXIST"},
		{209, "SUSPEND_CONSUMER", "UPDATE_AND_CREATE_ACL_CONFIG_FAILED"},
		{215, "DELETE_TOPIC_IN_BROKER", "FLOW_CONTROL"},
	}
	for _, tc := range cases {
		if got := RequestCode(tc.num).String(); got != tc.req {
			t.Errorf("RequestCode(%d) = %q, want %q", tc.num, got, tc.req)
		}
		if got := ResponseCode(tc.num).String(); got != tc.resp {
			t.Errorf("ResponseCode(%d) = %q, want %q", tc.num, got, tc.resp)
		}
	}
}
