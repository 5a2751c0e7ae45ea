// Package sql92 is RocketMQ's SQL92 message selector: the language a
// consumer subscribes with when its expressionType is SQL92, parsed and
// evaluated as the Java 4.9.7 broker does (filter module: the JavaCC
// grammar SelectorParser.jj as generated into SelectorParser.java, and the
// expression classes ComparisonExpression, LogicExpression,
// UnaryExpression, ConstantExpression, PropertyExpression).
//
// Grammar, loosest binding first:
//
//	selector   = or
//	or         = and { OR and }
//	and        = equality { AND equality }
//	equality   = comparison { "=" comparison | "<>" comparison | IS NULL | IS NOT NULL }
//	comparison = unary { (">" | ">=" | "<" | "<=") unary
//	                   | [NOT] BETWEEN unary AND unary
//	                   | [NOT] IN "(" string { "," string } ")" }
//	unary      = "+" unary | "-" unary | NOT unary | primary
//	primary    = literal | identifier | "(" or ")"
//
// Keywords are case-insensitive; identifiers are [A-Za-z_$][A-Za-z0-9_$]*
// and name message properties (user and system properties alike, looked
// up case-sensitively). Literals: 'strings' (a quote inside is doubled),
// decimal integers (an optional L suffix; int when they fit 32 bits, else
// long), floating-point numbers, TRUE, FALSE, NULL. "--" comments run to a
// line end and /* */ comments are skipped.
//
// Java quirks kept on purpose, because a subscription the Java broker
// accepts must be accepted here and filter the same messages:
//
//   - Parsing stops after the first complete expression: "a = 1 b" is
//     "a = 1" (the generated parser never asks for end of input). A token
//     that the parser had to look at still has to lex, so "a = 1 #" fails.
//   - Comparisons and IN are checked when parsed: > >= < <= accept only
//     numbers among constants and no boolean sub-expression; = and <>
//     refuse a NULL literal; IN needs a property on its left; BETWEEN with
//     two constants needs low <= high; a float literal must be a finite
//     value of at least Double.MIN_VALUE (so 0.0 is refused).
//   - Property values are strings. Compared with a number they are
//     converted to the constant's type (Integer.valueOf for an int
//     constant, Long.valueOf, Double.valueOf); a value that does not
//     convert makes the whole evaluation fail and the message not match,
//     also inside an OR. Two properties compared with > >= < <= are both
//     read as doubles.
//   - A missing property is NULL; comparisons with NULL give NULL
//     (unknown), AND/OR/NOT use three-valued logic, and a message matches
//     only when the result is TRUE. "x = a" with a missing is FALSE while
//     "a = x" is NULL, as in Java.
//   - A bare property used as a condition ("a AND b") is FALSE when
//     present and NULL when missing (Java's boolean cast of a string).
//
// Parse results are immutable and safe for concurrent evaluation.
// Evaluation does not allocate (the one exception: a property holding a
// number beyond the double range, which strconv reports with an error).
package sql92
