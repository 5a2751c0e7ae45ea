package main

import (
	"fmt"
	"sort"
	"strings"
)

// option is one command-line option of a sub-command, as commons-cli's
// Option in Java's SubCommand.buildCommandlineOptions: a one-letter name,
// a long name, whether it takes a value, whether it is required.
type option struct {
	short    string
	long     string
	hasArg   bool
	required bool
	desc     string
	// group names an option group (Java OptionGroup): exactly one of the
	// options sharing a group name must be given when groupRequired.
	group         string
	groupRequired bool
}

// key is what commons-cli sorts and matches options by.
func (o *option) key() string {
	if o.short != "" {
		return o.short
	}
	return o.long
}

// Options every sub-command has: Java's ServerUtil.buildCommandlineOptions
// adds -h and -n; --json is rocketgo's machine output.
var (
	optHelp    = option{short: "h", long: "help", desc: "Print help"}
	optNamesrv = option{short: "n", long: "namesrvAddr", hasArg: true,
		desc: "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'"}
	optJSON = option{long: "json", desc: "Print the result as JSON instead of Java's text layout"}
)

// commonOptions returns the options added to every sub-command.
func commonOptions() []option { return []option{optHelp, optNamesrv, optJSON} }

// parsed holds the options given on the command line.
type parsed struct {
	values map[string]string // by key; "" for a flag
	args   []string          // left-over arguments (ignored, as Java does)
}

// has reports whether the option with the given key was given.
func (p *parsed) has(key string) bool {
	_, ok := p.values[key]
	return ok
}

// value returns the option's value trimmed, as every Java command does
// with getOptionValue(...).trim().
func (p *parsed) value(key string) string { return strings.TrimSpace(p.values[key]) }

// usageError is a command line that does not parse; Java prints the help
// and exits with status 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// parseArgs parses args against opts the way commons-cli's PosixParser
// does for mqadmin: "-t v", "-tv", "--topic v", "--topic=v"; flags take no
// value; the first value wins when an option repeats; required options and
// required groups are checked.
func parseArgs(opts []option, args []string) (*parsed, error) {
	byShort := map[string]*option{}
	byLong := map[string]*option{}
	for i := range opts {
		o := &opts[i]
		if o.short != "" {
			byShort[o.short] = o
		}
		if o.long != "" {
			byLong[strings.ToLower(o.long)] = o
		}
	}
	p := &parsed{values: map[string]string{}}
	set := func(o *option, v string) {
		if _, dup := p.values[o.key()]; !dup {
			p.values[o.key()] = v
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		var o *option
		var inline string
		hasInline := false
		switch {
		case a == "--":
			p.args = append(p.args, args[i+1:]...)
			i = len(args)
			continue
		case strings.HasPrefix(a, "--"):
			name := a[2:]
			if k, v, ok := strings.Cut(name, "="); ok {
				name, inline, hasInline = k, v, true
			}
			o = byLong[strings.ToLower(name)]
			if o == nil {
				return nil, &usageError{"Unrecognized option: " + a}
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			// PosixParser takes a whole option name after one dash
			// first ("-list"), then bursts "-tValue".
			if lo := byLong[strings.ToLower(a[1:])]; lo != nil && len(a) > 2 {
				o = lo
				break
			}
			o = byShort[a[1:2]]
			if o == nil {
				return nil, &usageError{"Unrecognized option: " + a}
			}
			if len(a) > 2 {
				if !o.hasArg {
					return nil, &usageError{"Unrecognized option: " + a}
				}
				inline, hasInline = a[2:], true
			}
		default:
			p.args = append(p.args, a)
			continue
		}
		if !o.hasArg {
			if hasInline {
				return nil, &usageError{"Option --" + o.long + " takes no value"}
			}
			set(o, "")
			continue
		}
		if hasInline {
			set(o, inline)
			continue
		}
		if i+1 >= len(args) {
			return nil, &usageError{"Missing argument for option: " + o.key()}
		}
		i++
		set(o, args[i])
	}
	if p.has("h") {
		return p, nil
	}
	groups := map[string][]*option{}
	for i := range opts {
		o := &opts[i]
		if o.group != "" {
			groups[o.group] = append(groups[o.group], o)
			continue
		}
		if o.required && !p.has(o.key()) {
			return nil, &usageError{"Missing required option: " + o.key()}
		}
	}
	for _, name := range sortedGroupNames(groups) {
		members := groups[name]
		var given []string
		for _, o := range members {
			if p.has(o.key()) {
				given = append(given, o.key())
			}
		}
		if len(given) > 1 {
			return nil, &usageError{fmt.Sprintf("Options %s cannot be given together", "-"+strings.Join(given, ", -"))}
		}
		if len(given) == 0 && members[0].groupRequired {
			var keys []string
			for _, o := range members {
				keys = append(keys, "-"+o.key())
			}
			return nil, &usageError{"Missing required option: one of " + strings.Join(keys, ", ")}
		}
	}
	return p, nil
}

func sortedGroupNames(m map[string][]*option) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// helpWidth is the width Java's ServerUtil gives HelpFormatter.
const helpWidth = 110

// renderHelp writes the help of one sub-command the way commons-cli's
// HelpFormatter.printHelp(app, options, true) lays it out: a usage line
// listing the options sorted by name (optional ones in brackets, a group
// as "a | b"), then one line per option with its description aligned.
func renderHelp(app string, opts []option) string {
	sorted := append([]option(nil), opts...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return strings.ToLower(sorted[i].key()) < strings.ToLower(sorted[j].key())
	})
	var usage strings.Builder
	usage.WriteString("usage: " + app)
	doneGroups := map[string]bool{}
	for i := range sorted {
		o := &sorted[i]
		if o.group != "" {
			if doneGroups[o.group] {
				continue
			}
			doneGroups[o.group] = true
			var parts []string
			for j := range sorted {
				if sorted[j].group == o.group {
					parts = append(parts, usageOption(&sorted[j], true))
				}
			}
			g := strings.Join(parts, " | ")
			if !o.groupRequired {
				g = "[" + g + "]"
			}
			usage.WriteString(" " + g)
			continue
		}
		usage.WriteString(" " + usageOption(o, o.required))
	}
	var out strings.Builder
	wrapText(&out, usage.String(), len("usage: "))

	width := 0
	heads := make([]string, len(sorted))
	for i := range sorted {
		o := &sorted[i]
		h := " "
		if o.short != "" {
			h += "-" + o.short
			if o.long != "" {
				h += ",--" + o.long
			}
		} else {
			h += "--" + o.long
		}
		if o.hasArg {
			h += " <arg>"
		}
		heads[i] = h
		width = max(width, len(h))
	}
	for i := range sorted {
		line := heads[i] + strings.Repeat(" ", width-len(heads[i])) + "   " + sorted[i].desc
		wrapText(&out, line, width+3)
	}
	return out.String()
}

func usageOption(o *option, required bool) string {
	s := "-" + o.key()
	if o.short == "" {
		s = "--" + o.long
	}
	if o.hasArg {
		s += " <arg>"
	}
	if !required {
		s = "[" + s + "]"
	}
	return s
}

// wrapText writes text wrapped at helpWidth, continuation lines indented
// by indent spaces, each line ending in "\n".
func wrapText(sb *strings.Builder, text string, indent int) {
	first := true
	for {
		limit := helpWidth
		if len(text) <= limit {
			sb.WriteString(text + "\n")
			return
		}
		cut := strings.LastIndexByte(text[:limit+1], ' ')
		if cut <= indent && !first || cut <= 0 {
			cut = limit
		}
		sb.WriteString(strings.TrimRight(text[:cut], " ") + "\n")
		text = strings.Repeat(" ", indent) + strings.TrimLeft(text[cut:], " ")
		first = false
	}
}
