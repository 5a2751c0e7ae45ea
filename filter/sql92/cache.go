package sql92

import "sync"

// Cache remembers parse results (expressions and errors) by text, like the
// parse cache of Java's SelectorParser, so a consumer that sends its
// subscription with every pull does not have it parsed every time. It is
// bounded: when full, an arbitrary entry makes room. Safe for concurrent
// use.
type Cache struct {
	max int
	mu  sync.RWMutex
	m   map[string]cacheEntry
}

type cacheEntry struct {
	expr *Expr
	err  error
}

// NewCache returns a cache of at most size entries (at least 1).
func NewCache(size int) *Cache {
	return &Cache{max: max(size, 1), m: make(map[string]cacheEntry)}
}

// Parse returns Parse(expr), from the cache when it has been seen.
func (c *Cache) Parse(expr string) (*Expr, error) {
	c.mu.RLock()
	e, ok := c.m[expr]
	c.mu.RUnlock()
	if ok {
		return e.expr, e.err
	}
	x, err := Parse(expr)
	c.mu.Lock()
	if _, ok := c.m[expr]; !ok && len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[expr] = cacheEntry{x, err}
	c.mu.Unlock()
	return x, err
}

// Len is the number of cached entries.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
