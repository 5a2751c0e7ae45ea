package body

import (
	"fmt"
	"strings"
)

// SubscriptionGroupConfig is a consumer group's settings on a broker (Java
// SubscriptionGroupConfig): one entry of subscriptionGroup.json, the body
// of UPDATE_AND_CREATE_SUBSCRIPTIONGROUP.
type SubscriptionGroupConfig struct {
	// GroupName is "" when the JSON had none (Java null); it is then not
	// written.
	GroupName                      string
	ConsumeEnable                  bool
	ConsumeFromMinEnable           bool
	ConsumeBroadcastEnable         bool
	RetryQueueNums                 int32
	RetryMaxTimes                  int32
	BrokerID                       int64
	WhichBrokerWhenConsumeSlowly   int64
	NotifyConsumerIdsChangedEnable bool
}

// NewSubscriptionGroupConfig returns a group with Java's defaults: consume
// enabled, from min enabled, broadcast enabled, 1 retry queue, 16 retries,
// brokerId 0, slow-consumption broker 1, consumer-change notification on.
func NewSubscriptionGroupConfig(group string) SubscriptionGroupConfig {
	return SubscriptionGroupConfig{
		GroupName:                      group,
		ConsumeEnable:                  true,
		ConsumeFromMinEnable:           true,
		ConsumeBroadcastEnable:         true,
		RetryQueueNums:                 1,
		RetryMaxTimes:                  16,
		BrokerID:                       MasterID,
		WhichBrokerWhenConsumeSlowly:   1,
		NotifyConsumerIdsChangedEnable: true,
	}
}

func (c *SubscriptionGroupConfig) write(w *fjWriter) {
	w.open()
	w.intField("brokerId", c.BrokerID)
	w.boolField("consumeBroadcastEnable", c.ConsumeBroadcastEnable)
	w.boolField("consumeEnable", c.ConsumeEnable)
	w.boolField("consumeFromMinEnable", c.ConsumeFromMinEnable)
	if c.GroupName != "" {
		w.stringField("groupName", c.GroupName)
	}
	w.boolField("notifyConsumerIdsChangedEnable", c.NotifyConsumerIdsChangedEnable)
	w.intField("retryMaxTimes", int64(c.RetryMaxTimes))
	w.intField("retryQueueNums", int64(c.RetryQueueNums))
	w.intField("whichBrokerWhenConsumeSlowly", c.WhichBrokerWhenConsumeSlowly)
	w.close()
}

// Encode writes the compact form mqadmin sends with
// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP.
func (c *SubscriptionGroupConfig) Encode() []byte {
	w := newFJWriter(false, 256)
	c.write(w)
	return w.buf
}

// beanKey folds a JSON property name the way fastjson's smart match does
// (case and '_'/'-' ignored), so {"GroupName":...} from a Go client's
// encoding/json and {"groupName":...} from Java both land in GroupName.
func beanKey(k string) string {
	if strings.ContainsAny(k, "_-ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		k = strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
	}
	return k
}

func decodeSubscriptionGroupConfig(v *value) (SubscriptionGroupConfig, error) {
	c := NewSubscriptionGroupConfig("")
	if v.k != kObject {
		return c, fmt.Errorf("body: SubscriptionGroupConfig: expected an object")
	}
	for i, k := range v.keys {
		f := &v.vals[i]
		var err error
		switch beanKey(k) {
		case "groupname":
			c.GroupName, err = f.asString(k)
		case "consumeenable":
			c.ConsumeEnable, err = f.asBool(k)
		case "consumefromminenable":
			c.ConsumeFromMinEnable, err = f.asBool(k)
		case "consumebroadcastenable":
			c.ConsumeBroadcastEnable, err = f.asBool(k)
		case "retryqueuenums":
			c.RetryQueueNums, err = f.asInt32(k)
		case "retrymaxtimes":
			c.RetryMaxTimes, err = f.asInt32(k)
		case "brokerid":
			c.BrokerID, err = f.asInt64(k)
		case "whichbrokerwhenconsumeslowly":
			c.WhichBrokerWhenConsumeSlowly, err = f.asInt64(k)
		case "notifyconsumeridschangedenable":
			c.NotifyConsumerIdsChangedEnable, err = f.asBool(k)
		}
		if err != nil {
			return c, fmt.Errorf("body: SubscriptionGroupConfig: %w", err)
		}
	}
	return c, nil
}

// DecodeSubscriptionGroupConfig parses an UPDATE_AND_CREATE_SUBSCRIPTIONGROUP
// body. Unknown properties (5.x adds several) are ignored and missing ones
// keep Java's defaults.
func DecodeSubscriptionGroupConfig(data []byte) (*SubscriptionGroupConfig, error) {
	v, err := decodeObject(data, "SubscriptionGroupConfig")
	if err != nil {
		return nil, err
	}
	c, err := decodeSubscriptionGroupConfig(&v)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// SubscriptionGroupWrapper is a broker's whole group table (Java
// SubscriptionGroupWrapper, and the shape SubscriptionGroupManager writes):
// subscriptionGroup.json and the GET_ALL_SUBSCRIPTIONGROUP_CONFIG body.
// GroupOrder keeps the table's order for encoding (Java writes its
// ConcurrentHashMap order); when it does not list every group the encoder
// sorts by name.
type SubscriptionGroupWrapper struct {
	SubscriptionGroupTable map[string]*SubscriptionGroupConfig
	GroupOrder             []string
	DataVersion            DataVersion
}

func (w *SubscriptionGroupWrapper) names() []string {
	if len(w.GroupOrder) == len(w.SubscriptionGroupTable) {
		return w.GroupOrder
	}
	return sortedKeys(w.SubscriptionGroupTable)
}

// EncodePretty writes subscriptionGroup.json as the Java broker does.
func (w *SubscriptionGroupWrapper) EncodePretty() []byte { return w.encode(true) }

// Encode writes the compact GET_ALL_SUBSCRIPTIONGROUP_CONFIG body.
func (w *SubscriptionGroupWrapper) Encode() []byte { return w.encode(false) }

func (w *SubscriptionGroupWrapper) encode(pretty bool) []byte {
	fw := newFJWriter(pretty, 64+300*len(w.SubscriptionGroupTable))
	fw.open()
	fw.key("dataVersion")
	fw.dataVersion(w.DataVersion)
	fw.key("subscriptionGroupTable")
	fw.open()
	for _, name := range w.names() {
		c := w.SubscriptionGroupTable[name]
		if c == nil {
			continue
		}
		fw.key(name)
		c.write(fw)
	}
	fw.close()
	fw.close()
	return fw.buf
}

// DecodeSubscriptionGroupWrapper parses subscriptionGroup.json or a
// GET_ALL_SUBSCRIPTIONGROUP_CONFIG body; GroupOrder is the text's order.
func DecodeSubscriptionGroupWrapper(data []byte) (*SubscriptionGroupWrapper, error) {
	v, err := decodeObject(data, "SubscriptionGroupWrapper")
	if err != nil {
		return nil, err
	}
	w := &SubscriptionGroupWrapper{SubscriptionGroupTable: map[string]*SubscriptionGroupConfig{}}
	for i, k := range v.keys {
		f := &v.vals[i]
		switch beanKey(k) {
		case "dataversion":
			if w.DataVersion, err = decodeDataVersion(f); err != nil {
				return nil, err
			}
		case "subscriptiongrouptable":
			if err := f.objectOrNull(k); err != nil {
				return nil, err
			}
			for j, name := range f.keys {
				if f.vals[j].k == kNull {
					continue
				}
				c, err := decodeSubscriptionGroupConfig(&f.vals[j])
				if err != nil {
					return nil, fmt.Errorf("body: group %q: %w", name, err)
				}
				if _, dup := w.SubscriptionGroupTable[name]; !dup {
					w.GroupOrder = append(w.GroupOrder, name)
				}
				w.SubscriptionGroupTable[name] = &c
			}
		}
	}
	return w, nil
}
