package cmdline

import "strings"

// ShellQuote quotes s for a Bourne-compatible shell exactly as GNU parallel
// does: words made only of letters, digits and "-_.+/" stay bare, the empty
// string becomes two single quotes, and anything else is put in single quotes, with each run
// of single quotes written as "'"-quoted text between them.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if !needsQuoting(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '\'' {
			j++
		}
		b.WriteString(`'"`)
		b.WriteString(s[i:j])
		b.WriteString(`"'`)
		i = j
	}
	b.WriteByte('\'')
	q := b.String()
	// GNU drops the empty '' pairs that a leading or trailing quote run leaves.
	q = strings.TrimPrefix(q, "''")
	q = strings.TrimSuffix(q, "''")
	return q
}

func needsQuoting(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '_', c == '.', c == '+', c == '/':
		default:
			return true
		}
	}
	return false
}
