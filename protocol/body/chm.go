package body

import "github.com/rocketgo/rocketgo/store/message"

// MapOrder reproduces the iteration order of a java.util.concurrent
// ConcurrentHashMap without holding its values. The Java broker writes its
// config files (topics.json, subscriptionGroup.json, consumerOffset.json,
// delayOffset.json) by walking such maps, so a Go broker that wants to write
// the same bytes as Java has to know in which order Java would list the keys.
//
// The order is a function of the keys' hashes, the table size (which
// depends on the constructor's initial capacity and on every resize) and,
// inside one bucket, of the insertion history. MapOrder replays that
// history: it keeps the buckets of the JDK's table (JDK 8 to 17 behave the
// same here) and applies the JDK's rules for
//
//   - table allocation (the initial capacity rounded as the constructor does,
//     the no-argument constructor's 16, putAll's pre-sizing),
//   - resizing when the count reaches three quarters of the table, including
//     how a transfer splits a bucket list (the tail that stays together keeps
//     its order, the nodes before it are reversed),
//   - treeified buckets (nine or more keys in one bucket of a table of at
//     least 64): new keys go to the front of such a bucket; in a smaller
//     table a ninth key in one bucket grows the table instead (tryPresize,
//     which ends at eight times the size).
//
// TestMapOrderMatchesJDK replays scripted histories recorded from a JDK 17
// ConcurrentHashMap (testdata/ChmOrders.java) and checks every order.
//
// One case is approximated: when a key is removed from a treeified bucket,
// Java turns the bucket back into a list depending on the red-black tree's
// shape; MapOrder does so when six or fewer keys remain. It matters only for
// nine or more colliding keys followed by removals.
//
// A MapOrder is not safe for concurrent use; its owner locks around it.
type MapOrder[K comparable] struct {
	hash func(K) uint32
	// bins is the table; an empty bucket is nil, so an idle table costs a
	// pointer per slot, as Java's does.
	bins    []*orderBin[K]
	sizeCtl int // Java's sizeCtl: the table size to allocate, then the resize threshold
	count   int
}

type orderNode[K comparable] struct {
	key  K
	hash uint32
}

type orderBin[K comparable] struct {
	nodes []orderNode[K]
	tree  bool
}

const (
	chmMaxCapacity     = 1 << 30
	chmDefaultCapacity = 16
	chmTreeify         = 8
	chmUntreeify       = 6
	chmMinTreeify      = 64
)

// NewStringMapOrder models new ConcurrentHashMap<String, V>(initialCapacity);
// initialCapacity <= 0 models the no-argument constructor.
func NewStringMapOrder(initialCapacity int) *MapOrder[string] {
	return newMapOrder(stringSpread, initialCapacity)
}

// NewIntMapOrder models new ConcurrentHashMap<Integer, V>(initialCapacity);
// an Integer's hash is its value. initialCapacity <= 0 models the
// no-argument constructor.
func NewIntMapOrder(initialCapacity int) *MapOrder[int32] {
	return newMapOrder(intSpread, initialCapacity)
}

func stringSpread(s string) uint32 { return spread(uint32(message.JavaHashString(s))) }
func intSpread(i int32) uint32     { return spread(uint32(i)) }

// spread is ConcurrentHashMap.spread: fold the high half into the low half
// and clear the sign bit.
func spread(h uint32) uint32 { return (h ^ h>>16) & 0x7fffffff }

func newMapOrder[K comparable](hash func(K) uint32, initialCapacity int) *MapOrder[K] {
	o := &MapOrder[K]{hash: hash}
	if initialCapacity > 0 {
		// JDK 8's rounding; JDK 11+ computes 1 + cap/0.75, which gives the
		// same table for the capacities RocketMQ uses (32, 512, 1024).
		o.sizeCtl = chmTableSizeFor(initialCapacity + initialCapacity>>1 + 1)
	}
	return o
}

// chmTableSizeFor is the smallest power of two >= c (at least 1, at most
// 2^30).
func chmTableSizeFor(c int) int {
	n := 1
	for n < c && n < chmMaxCapacity {
		n <<= 1
	}
	return n
}

// Len is the number of keys.
func (o *MapOrder[K]) Len() int { return o.count }

// TableSize is the current table length (0 before the first insertion).
func (o *MapOrder[K]) TableSize() int { return len(o.bins) }

// Contains reports whether k is present.
func (o *MapOrder[K]) Contains(k K) bool {
	if len(o.bins) == 0 {
		return false
	}
	h := o.hash(k)
	if b := o.bins[h&uint32(len(o.bins)-1)]; b != nil {
		for _, n := range b.nodes {
			if n.key == k {
				return true
			}
		}
	}
	return false
}

// Add models put/putIfAbsent of k: a new key takes its place in the order,
// an existing key keeps its position. It reports whether k was new.
func (o *MapOrder[K]) Add(k K) bool {
	h := o.hash(k)
	if o.bins == nil {
		o.initTable()
	}
	i := h & uint32(len(o.bins)-1)
	b := o.bins[i]
	if b == nil {
		b = &orderBin[K]{}
		o.bins[i] = b
	}
	for _, n := range b.nodes {
		if n.key == k {
			return false
		}
	}
	old := len(b.nodes)
	if b.tree {
		b.nodes = append(b.nodes, orderNode[K]{})
		copy(b.nodes[1:], b.nodes)
		b.nodes[0] = orderNode[K]{key: k, hash: h}
	} else {
		b.nodes = append(b.nodes, orderNode[K]{key: k, hash: h})
		if old >= chmTreeify {
			o.treeifyBin(int(i))
		}
	}
	o.count++
	for o.count >= o.sizeCtl && len(o.bins) < chmMaxCapacity {
		o.transfer()
	}
	return true
}

// AddAll models putAll from a map whose iteration order is keys: the table
// is first pre-sized for len(keys), then every key is added in turn.
func (o *MapOrder[K]) AddAll(keys []K) {
	o.tryPresize(len(keys))
	for _, k := range keys {
		o.Add(k)
	}
}

// Remove models remove(k). It reports whether k was present.
func (o *MapOrder[K]) Remove(k K) bool {
	if len(o.bins) == 0 {
		return false
	}
	h := o.hash(k)
	i := h & uint32(len(o.bins)-1)
	b := o.bins[i]
	if b == nil {
		return false
	}
	for j, n := range b.nodes {
		if n.key != k {
			continue
		}
		b.nodes = append(b.nodes[:j], b.nodes[j+1:]...)
		switch {
		case len(b.nodes) == 0:
			o.bins[i] = nil
		case b.tree && len(b.nodes) <= chmUntreeify:
			b.tree = false
		}
		o.count--
		return true
	}
	return false
}

// Clear models clear(): every key goes, the table keeps its size.
func (o *MapOrder[K]) Clear() {
	clear(o.bins)
	o.count = 0
}

// Keys returns the keys in Java's iteration order.
func (o *MapOrder[K]) Keys() []K { return o.AppendKeys(make([]K, 0, o.count)) }

// AppendKeys appends the keys in Java's iteration order to dst.
func (o *MapOrder[K]) AppendKeys(dst []K) []K {
	for _, b := range o.bins {
		if b != nil {
			for _, n := range b.nodes {
				dst = append(dst, n.key)
			}
		}
	}
	return dst
}

// CopyOf models new ConcurrentHashMap<>(m) where m iterates as o: a fresh
// map with the default size hint, filled by putAll.
func (o *MapOrder[K]) CopyOf() *MapOrder[K] {
	c := &MapOrder[K]{hash: o.hash, sizeCtl: chmDefaultCapacity}
	c.AddAll(o.Keys())
	return c
}

// Clone returns an independent copy with the same table and history.
func (o *MapOrder[K]) Clone() *MapOrder[K] {
	c := &MapOrder[K]{hash: o.hash, sizeCtl: o.sizeCtl, count: o.count}
	if o.bins != nil {
		c.bins = make([]*orderBin[K], len(o.bins))
		for i, b := range o.bins {
			if b != nil {
				c.bins[i] = &orderBin[K]{nodes: append([]orderNode[K](nil), b.nodes...), tree: b.tree}
			}
		}
	}
	return c
}

func (o *MapOrder[K]) initTable() {
	n := o.sizeCtl
	if n <= 0 {
		n = chmDefaultCapacity
	}
	o.bins = make([]*orderBin[K], n)
	o.sizeCtl = n - n>>2
}

// tryPresize grows the table until it can hold size keys without a resize
// (ConcurrentHashMap.tryPresize).
func (o *MapOrder[K]) tryPresize(size int) {
	c := chmMaxCapacity
	if size < chmMaxCapacity>>1 {
		c = chmTableSizeFor(size + size>>1 + 1)
	}
	for {
		if o.bins == nil {
			n := o.sizeCtl
			if c > n {
				n = c
			}
			o.bins = make([]*orderBin[K], n)
			o.sizeCtl = n - n>>2
			continue
		}
		if c <= o.sizeCtl || len(o.bins) >= chmMaxCapacity {
			return
		}
		o.transfer()
	}
}

// treeifyBin turns a long bucket into a tree bucket, or doubles a small
// table instead.
func (o *MapOrder[K]) treeifyBin(i int) {
	n := len(o.bins)
	if n < chmMinTreeify {
		o.tryPresize(n << 1)
		return
	}
	o.bins[i].tree = true
}

// transfer doubles the table the way ConcurrentHashMap.transfer splits each
// bucket into its low (same index) and high (index + n) halves.
func (o *MapOrder[K]) transfer() {
	n := len(o.bins)
	next := make([]*orderBin[K], n<<1)
	bit := uint32(n)
	for i, b := range o.bins {
		if b == nil {
			continue
		}
		if b.tree {
			var lo, hi []orderNode[K]
			for _, nd := range b.nodes {
				if nd.hash&bit == 0 {
					lo = append(lo, nd)
				} else {
					hi = append(hi, nd)
				}
			}
			next[i] = newBin(lo, len(lo) > chmUntreeify)
			next[i+n] = newBin(hi, len(hi) > chmUntreeify)
			continue
		}
		// The longest tail whose nodes all go to the same half is moved as
		// it is; the nodes before it are pushed in front one by one, which
		// reverses them.
		nodes := b.nodes
		last := len(nodes) - 1
		runBit := nodes[last].hash & bit
		for last > 0 && nodes[last-1].hash&bit == runBit {
			last--
		}
		if last == 0 { // the whole bucket moves as it is
			if runBit == 0 {
				next[i] = b
			} else {
				next[i+n] = b
			}
			continue
		}
		var lo, hi []orderNode[K]
		for j := last - 1; j >= 0; j-- {
			if nodes[j].hash&bit == 0 {
				lo = append(lo, nodes[j])
			} else {
				hi = append(hi, nodes[j])
			}
		}
		if runBit == 0 {
			lo = append(lo, nodes[last:]...)
		} else {
			hi = append(hi, nodes[last:]...)
		}
		next[i] = newBin(lo, false)
		next[i+n] = newBin(hi, false)
	}
	o.bins = next
	o.sizeCtl = n<<1 - n>>1
}

func newBin[K comparable](nodes []orderNode[K], tree bool) *orderBin[K] {
	if len(nodes) == 0 {
		return nil
	}
	return &orderBin[K]{nodes: nodes, tree: tree}
}
