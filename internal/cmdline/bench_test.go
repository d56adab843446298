package cmdline

import "testing"

func BenchmarkTemplateArgv(b *testing.B) {
	t, err := ParseTemplate([]string{"convert", "{}", "-resize", "50%", "out/{/.}.png"}, TemplateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a := &Args{Records: [][]string{{"photos/2024/img_0001.jpg"}}, Seq: 1, Slot: 1}
	b.ReportAllocs()
	for b.Loop() {
		t.Argv(a)
	}
}

func BenchmarkTemplateLine(b *testing.B) {
	t, err := ParseTemplate([]string{"convert {} -resize 50% out/{/.}.png | cat"}, TemplateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a := &Args{Records: [][]string{{"photos/my 2024/img_0001.jpg"}}, Seq: 1, Slot: 1}
	b.ReportAllocs()
	for b.Loop() {
		t.Line(a)
	}
}
