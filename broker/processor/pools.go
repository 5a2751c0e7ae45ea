package processor

import (
	"sync"

	"github.com/rocketgo/rocketgo/store/message"
)

// recordPools are the encode buffers and property maps reused by the
// processors that build records (send, send-back, end-transaction,
// reply), so a request allocates neither. The zero value is ready.
type recordPools struct {
	bufs sync.Pool // *[]byte
	maps sync.Pool // *message.PropertyMap
}

// buf returns an encode buffer; give it back with putBuf, keeping its
// whole (possibly grown) capacity.
func (p *recordPools) buf() *[]byte {
	if b, ok := p.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 4096)
	return &b
}

func (p *recordPools) putBuf(b *[]byte) { p.bufs.Put(b) }

// propMap returns a property map; callers fill it with ParseFrom.
func (p *recordPools) propMap() *message.PropertyMap {
	if m, ok := p.maps.Get().(*message.PropertyMap); ok {
		return m
	}
	return new(message.PropertyMap)
}

func (p *recordPools) putPropMap(m *message.PropertyMap) { p.maps.Put(m) }
