package body

// TopicList is a list of topic names (Java TopicList); BrokerAddr is set
// only by GET_SYSTEM_TOPIC_LIST_FROM_NS.
type TopicList struct {
	TopicList  []string
	BrokerAddr string
}

// Encode writes {"brokerAddr":"...","topicList":[...]} (brokerAddr only
// when set).
func (t *TopicList) Encode() []byte {
	dst := []byte{'{'}
	if t.BrokerAddr != "" {
		dst = append(dst, `"brokerAddr":`...)
		dst = appendString(dst, t.BrokerAddr, false)
		dst = append(dst, ',')
	}
	dst = append(dst, `"topicList":`...)
	dst = appendStringArray(dst, t.TopicList, false)
	return append(dst, '}')
}

// DecodeTopicList parses a TopicList body.
func DecodeTopicList(data []byte) (*TopicList, error) {
	v, err := decodeObject(data, "TopicList")
	if err != nil {
		return nil, err
	}
	t := &TopicList{}
	if f, ok := v.get("topicList"); ok {
		if t.TopicList, err = f.asStrings("topicList"); err != nil {
			return nil, err
		}
	}
	if f, ok := v.get("brokerAddr"); ok {
		if t.BrokerAddr, err = f.asString("brokerAddr"); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// KVTable is a string map (Java KVTable).
type KVTable struct {
	Table map[string]string
}

// Encode writes {"table":{...}} with sorted keys.
func (k *KVTable) Encode() []byte {
	dst := []byte(`{"table":`)
	dst = appendStringMap(dst, k.Table)
	return append(dst, '}')
}

// DecodeKVTable parses a KVTable body.
func DecodeKVTable(data []byte) (*KVTable, error) {
	v, err := decodeObject(data, "KVTable")
	if err != nil {
		return nil, err
	}
	k := &KVTable{Table: map[string]string{}}
	if f, ok := v.get("table"); ok {
		if err := decodeStringMap(f, "table", k.Table); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func decodeStringMap(v *value, name string, into map[string]string) error {
	if err := v.objectOrNull(name); err != nil {
		return err
	}
	for i, key := range v.keys {
		s, err := v.vals[i].asString(name)
		if err != nil {
			return err
		}
		into[key] = s
	}
	return nil
}

// KVConfigSerializeWrapper is the NameServer's kvConfig.json:
// {"configTable":{namespace:{key:value}}}.
type KVConfigSerializeWrapper struct {
	ConfigTable map[string]map[string]string
}

// Encode writes the file content (compact, keys sorted).
func (w *KVConfigSerializeWrapper) Encode() []byte {
	dst := []byte(`{"configTable":{`)
	for i, ns := range sortedKeys(w.ConfigTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, ns, false)
		dst = appendStringMap(dst, w.ConfigTable[ns])
	}
	return append(dst, "}}"...)
}

// DecodeKVConfigSerializeWrapper parses kvConfig.json.
func DecodeKVConfigSerializeWrapper(data []byte) (*KVConfigSerializeWrapper, error) {
	v, err := decodeObject(data, "KVConfigSerializeWrapper")
	if err != nil {
		return nil, err
	}
	w := &KVConfigSerializeWrapper{ConfigTable: map[string]map[string]string{}}
	if f, ok := v.get("configTable"); ok {
		if err := f.objectOrNull("configTable"); err != nil {
			return nil, err
		}
		for i, ns := range f.keys {
			m := map[string]string{}
			if err := decodeStringMap(&f.vals[i], "configTable", m); err != nil {
				return nil, err
			}
			w.ConfigTable[ns] = m
		}
	}
	return w, nil
}
