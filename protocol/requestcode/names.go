package requestcode

import "strconv"

// requestCodeTable lists every RequestCode with its Java name. It is only
// read, to build the lookup maps below.
var requestCodeTable = [...]struct {
	code RequestCode
	name string
}{
	{SendMessage, "SEND_MESSAGE"},
	{PullMessage, "PULL_MESSAGE"},
	{QueryMessage, "QUERY_MESSAGE"},
	{QueryBrokerOffset, "QUERY_BROKER_OFFSET"},
	{QueryConsumerOffset, "QUERY_CONSUMER_OFFSET"},
	{UpdateConsumerOffset, "UPDATE_CONSUMER_OFFSET"},
	{UpdateAndCreateTopic, "UPDATE_AND_CREATE_TOPIC"},
	{GetAllTopicConfig, "GET_ALL_TOPIC_CONFIG"},
	{GetTopicConfigList, "GET_TOPIC_CONFIG_LIST"},
	{GetTopicNameList, "GET_TOPIC_NAME_LIST"},
	{UpdateBrokerConfig, "UPDATE_BROKER_CONFIG"},
	{GetBrokerConfig, "GET_BROKER_CONFIG"},
	{TriggerDeleteFiles, "TRIGGER_DELETE_FILES"},
	{GetBrokerRuntimeInfo, "GET_BROKER_RUNTIME_INFO"},
	{SearchOffsetByTimestamp, "SEARCH_OFFSET_BY_TIMESTAMP"},
	{GetMaxOffset, "GET_MAX_OFFSET"},
	{GetMinOffset, "GET_MIN_OFFSET"},
	{GetEarliestMsgStoretime, "GET_EARLIEST_MSG_STORETIME"},
	{ViewMessageById, "VIEW_MESSAGE_BY_ID"},
	{HeartBeat, "HEART_BEAT"},
	{UnregisterClient, "UNREGISTER_CLIENT"},
	{ConsumerSendMsgBack, "CONSUMER_SEND_MSG_BACK"},
	{EndTransaction, "END_TRANSACTION"},
	{GetConsumerListByGroup, "GET_CONSUMER_LIST_BY_GROUP"},
	{CheckTransactionState, "CHECK_TRANSACTION_STATE"},
	{NotifyConsumerIdsChanged, "NOTIFY_CONSUMER_IDS_CHANGED"},
	{LockBatchMq, "LOCK_BATCH_MQ"},
	{UnlockBatchMq, "UNLOCK_BATCH_MQ"},
	{GetAllConsumerOffset, "GET_ALL_CONSUMER_OFFSET"},
	{GetAllDelayOffset, "GET_ALL_DELAY_OFFSET"},
	{CheckClientConfig, "CHECK_CLIENT_CONFIG"},
	{UpdateAndCreateAclConfig, "UPDATE_AND_CREATE_ACL_CONFIG"},
	{DeleteAclConfig, "DELETE_ACL_CONFIG"},
	{GetBrokerClusterAclInfo, "GET_BROKER_CLUSTER_ACL_INFO"},
	{UpdateGlobalWhiteAddrsConfig, "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG"},
	{GetBrokerClusterAclConfig, "GET_BROKER_CLUSTER_ACL_CONFIG"},
	{PutKvConfig, "PUT_KV_CONFIG"},
	{GetKvConfig, "GET_KV_CONFIG"},
	{DeleteKvConfig, "DELETE_KV_CONFIG"},
	{RegisterBroker, "REGISTER_BROKER"},
	{UnregisterBroker, "UNREGISTER_BROKER"},
	{GetRouteinfoByTopic, "GET_ROUTEINFO_BY_TOPIC"},
	{GetBrokerClusterInfo, "GET_BROKER_CLUSTER_INFO"},
	{UpdateAndCreateSubscriptiongroup, "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP"},
	{GetAllSubscriptiongroupConfig, "GET_ALL_SUBSCRIPTIONGROUP_CONFIG"},
	{GetTopicStatsInfo, "GET_TOPIC_STATS_INFO"},
	{GetConsumerConnectionList, "GET_CONSUMER_CONNECTION_LIST"},
	{GetProducerConnectionList, "GET_PRODUCER_CONNECTION_LIST"},
	{WipeWritePermOfBroker, "WIPE_WRITE_PERM_OF_BROKER"},
	{GetAllTopicListFromNameserver, "GET_ALL_TOPIC_LIST_FROM_NAMESERVER"},
	{DeleteSubscriptiongroup, "DELETE_SUBSCRIPTIONGROUP"},
	{GetConsumeStats, "GET_CONSUME_STATS"},
	{SuspendConsumer, "SUSPEND_CONSUMER"},
	{ResumeConsumer, "RESUME_CONSUMER"},
	{ResetConsumerOffsetInConsumer, "RESET_CONSUMER_OFFSET_IN_CONSUMER"},
	{ResetConsumerOffsetInBroker, "RESET_CONSUMER_OFFSET_IN_BROKER"},
	{AdjustConsumerThreadPool, "ADJUST_CONSUMER_THREAD_POOL"},
	{WhoConsumeTheMessage, "WHO_CONSUME_THE_MESSAGE"},
	{DeleteTopicInBroker, "DELETE_TOPIC_IN_BROKER"},
	{DeleteTopicInNamesrv, "DELETE_TOPIC_IN_NAMESRV"},
	{GetKvlistByNamespace, "GET_KVLIST_BY_NAMESPACE"},
	{ResetConsumerClientOffset, "RESET_CONSUMER_CLIENT_OFFSET"},
	{GetConsumerStatusFromClient, "GET_CONSUMER_STATUS_FROM_CLIENT"},
	{InvokeBrokerToResetOffset, "INVOKE_BROKER_TO_RESET_OFFSET"},
	{InvokeBrokerToGetConsumerStatus, "INVOKE_BROKER_TO_GET_CONSUMER_STATUS"},
	{GetTopicsByCluster, "GET_TOPICS_BY_CLUSTER"},
	{QueryTopicConsumeByWho, "QUERY_TOPIC_CONSUME_BY_WHO"},
	{RegisterFilterServer, "REGISTER_FILTER_SERVER"},
	{RegisterMessageFilterClass, "REGISTER_MESSAGE_FILTER_CLASS"},
	{QueryConsumeTimeSpan, "QUERY_CONSUME_TIME_SPAN"},
	{GetSystemTopicListFromNs, "GET_SYSTEM_TOPIC_LIST_FROM_NS"},
	{GetSystemTopicListFromBroker, "GET_SYSTEM_TOPIC_LIST_FROM_BROKER"},
	{CleanExpiredConsumequeue, "CLEAN_EXPIRED_CONSUMEQUEUE"},
	{GetConsumerRunningInfo, "GET_CONSUMER_RUNNING_INFO"},
	{QueryCorrectionOffset, "QUERY_CORRECTION_OFFSET"},
	{ConsumeMessageDirectly, "CONSUME_MESSAGE_DIRECTLY"},
	{SendMessageV2, "SEND_MESSAGE_V2"},
	{GetUnitTopicList, "GET_UNIT_TOPIC_LIST"},
	{GetHasUnitSubTopicList, "GET_HAS_UNIT_SUB_TOPIC_LIST"},
	{GetHasUnitSubUnunitTopicList, "GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST"},
	{CloneGroupOffset, "CLONE_GROUP_OFFSET"},
	{ViewBrokerStatsData, "VIEW_BROKER_STATS_DATA"},
	{CleanUnusedTopic, "CLEAN_UNUSED_TOPIC"},
	{GetBrokerConsumeStats, "GET_BROKER_CONSUME_STATS"},
	{UpdateNamesrvConfig, "UPDATE_NAMESRV_CONFIG"},
	{GetNamesrvConfig, "GET_NAMESRV_CONFIG"},
	{SendBatchMessage, "SEND_BATCH_MESSAGE"},
	{QueryConsumeQueue, "QUERY_CONSUME_QUEUE"},
	{QueryDataVersion, "QUERY_DATA_VERSION"},
	{ResumeCheckHalfMessage, "RESUME_CHECK_HALF_MESSAGE"},
	{SendReplyMessage, "SEND_REPLY_MESSAGE"},
	{SendReplyMessageV2, "SEND_REPLY_MESSAGE_V2"},
	{PushReplyMessageToClient, "PUSH_REPLY_MESSAGE_TO_CLIENT"},
	{AddWritePermOfBroker, "ADD_WRITE_PERM_OF_BROKER"},
	{GetAllProducerInfo, "GET_ALL_PRODUCER_INFO"},
	{DeleteExpiredCommitlog, "DELETE_EXPIRED_COMMITLOG"},
	// 5.x
	{RegisterTopicInNamesrv, "REGISTER_TOPIC_IN_NAMESRV"},
	{GetTopicConfig, "GET_TOPIC_CONFIG"},
	{GetSubscriptiongroupConfig, "GET_SUBSCRIPTIONGROUP_CONFIG"},
	{LitePullMessage, "LITE_PULL_MESSAGE"},
	{QueryAssignment, "QUERY_ASSIGNMENT"},
	{SetMessageRequestMode, "SET_MESSAGE_REQUEST_MODE"},
	{PopMessage, "POP_MESSAGE"},
	{AckMessage, "ACK_MESSAGE"},
	{PeekMessage, "PEEK_MESSAGE"},
	{ChangeMessageInvisibletime, "CHANGE_MESSAGE_INVISIBLETIME"},
	{Notification, "NOTIFICATION"},
	{PollingInfo, "POLLING_INFO"},
	{BatchAckMessage, "BATCH_ACK_MESSAGE"},
}

// responseCodeTable lists every ResponseCode with its Java name. It is only
// read, to build the lookup maps below.
var responseCodeTable = [...]struct {
	code ResponseCode
	name string
}{
	{Success, "SUCCESS"},
	{SystemError, "SYSTEM_ERROR"},
	{SystemBusy, "SYSTEM_BUSY"},
	{RequestCodeNotSupported, "REQUEST_CODE_NOT_SUPPORTED"},
	{TransactionFailed, "TRANSACTION_FAILED"},
	{FlushDiskTimeout, "FLUSH_DISK_TIMEOUT"},
	{SlaveNotAvailable, "SLAVE_NOT_AVAILABLE"},
	{FlushSlaveTimeout, "FLUSH_SLAVE_TIMEOUT"},
	{MessageIllegal, "MESSAGE_ILLEGAL"},
	{ServiceNotAvailable, "SERVICE_NOT_AVAILABLE"},
	{VersionNotSupported, "VERSION_NOT_SUPPORTED"},
	{NoPermission, "NO_PERMISSION"},
	{TopicNotExist, "TOPIC_NOT_EXIST"},
	{TopicExistAlready, "TOPIC_EXIST_ALREADY"},
	{PullNotFound, "PULL_NOT_FOUND"},
	{PullRetryImmediately, "PULL_RETRY_IMMEDIATELY"},
	{PullOffsetMoved, "PULL_OFFSET_MOVED"},
	{QueryNotFound, "QUERY_NOT_FOUND"},
	{SubscriptionParseFailed, "SUBSCRIPTION_PARSE_FAILED"},
	{SubscriptionNotExist, "SUBSCRIPTION_NOT_EXIST"},
	{SubscriptionNotLatest, "SUBSCRIPTION_NOT_LATEST"},
	{SubscriptionGroupNotExist, "SUBSCRIPTION_GROUP_NOT_EXIST"},
	{FilterDataNotExist, "FILTER_DATA_NOT_EXIST"},
	{FilterDataNotLatest, "FILTER_DATA_NOT_LATEST"},
	{TransactionShouldCommit, "TRANSACTION_SHOULD_COMMIT"},
	{TransactionShouldRollback, "TRANSACTION_SHOULD_ROLLBACK"},
	{TransactionStateUnknow, "TRANSACTION_STATE_UNKNOW"},
	{TransactionStateGroupWrong, "TRANSACTION_STATE_GROUP_WRONG"},
	{NoBuyerId, "NO_BUYER_ID"},
	{NotInCurrentUnit, "NOT_IN_CURRENT_UNIT"},
	{ConsumerNotOnline, "CONSUMER_NOT_ONLINE"},
	{ConsumeMsgTimeout, "CONSUME_MSG_TIMEOUT"},
	{NoMessage, "NO_MESSAGE"},
	{UpdateAndCreateAclConfigFailed, "UPDATE_AND_CREATE_ACL_CONFIG_FAILED"},
	{DeleteAclConfigFailed, "DELETE_ACL_CONFIG_FAILED"},
	{UpdateGlobalWhiteAddrsConfigFailed, "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED"},
	{FlowControl, "FLOW_CONTROL"},
}

// Lookup maps, filled once from the tables at package initialization and
// never written afterwards, so they are safe for concurrent use.
var (
	requestNames   = make(map[RequestCode]string, len(requestCodeTable))
	requestByName  = make(map[string]RequestCode, len(requestCodeTable))
	responseNames  = make(map[ResponseCode]string, len(responseCodeTable))
	responseByName = make(map[string]ResponseCode, len(responseCodeTable))
)

func init() {
	for _, e := range requestCodeTable {
		if _, dup := requestNames[e.code]; dup {
			panic("requestcode: duplicate request code " + strconv.Itoa(int(e.code)))
		}
		if _, dup := requestByName[e.name]; dup {
			panic("requestcode: duplicate request code name " + e.name)
		}
		requestNames[e.code] = e.name
		requestByName[e.name] = e.code
	}
	for _, e := range responseCodeTable {
		if _, dup := responseNames[e.code]; dup {
			panic("requestcode: duplicate response code " + strconv.Itoa(int(e.code)))
		}
		if _, dup := responseByName[e.name]; dup {
			panic("requestcode: duplicate response code name " + e.name)
		}
		responseNames[e.code] = e.name
		responseByName[e.name] = e.code
	}
}

// String returns the Java constant name of c, such as
// "GET_ROUTEINFO_BY_TOPIC", or "RequestCode(N)" for a number this package
// does not define.
func (c RequestCode) String() string {
	if name, ok := requestNames[c]; ok {
		return name
	}
	return "RequestCode(" + strconv.FormatInt(int64(c), 10) + ")"
}

// String returns the Java constant name of c, such as "PULL_NOT_FOUND", or
// "ResponseCode(N)" for a number this package does not define.
func (c ResponseCode) String() string {
	if name, ok := responseNames[c]; ok {
		return name
	}
	return "ResponseCode(" + strconv.FormatInt(int64(c), 10) + ")"
}

// ParseRequestCode returns the request code whose Java constant name is
// name (exact, case-sensitive match, e.g. "SEND_MESSAGE_V2"). The boolean is
// false when no code has that name.
func ParseRequestCode(name string) (RequestCode, bool) {
	c, ok := requestByName[name]
	return c, ok
}

// ParseResponseCode returns the response code whose Java constant name is
// name (exact, case-sensitive match, e.g. "SYSTEM_BUSY"). The boolean is
// false when no code has that name.
func ParseResponseCode(name string) (ResponseCode, bool) {
	c, ok := responseByName[name]
	return c, ok
}
