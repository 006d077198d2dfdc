import { describe, expect, it } from 'vitest';
import { compileTemplate, fromJson, GoStruct, renderTemplate, TemplateError, type Value } from './index.js';

const data: Value = {
  installation: new GoStruct('lynx.InstallationInfo', { ID: 7n, Name: 'Cabin', ClientID: 1234567n, Timezone: 'Europe/Stockholm' }),
  organization: new GoStruct('lynx.Organization', {
    ID: 3n,
    Name: 'Acme',
    Email: 'ops@acme.test',
    Phone: '+46 1',
    Notes: '',
    Address: new GoStruct('lynx.Address', { Address: 'Street 1', City: 'Lund', Country: 'SE', ZIP: '22100' }),
  }),
  payload: fromJson({ value: 21.456, big: 1234567, t: 1700000000, list: ['a', 'b', 'c'], obj: { k: 'v', n: null }, on: true, off: false, s: 'hi', empty: '', zero: 0, tags: {} }),
};

const render = (src: string, tz = 'UTC') => renderTemplate(src, data, tz);
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('fields and printing', () => {
  it('reads Go field names of installation and organization, and payload keys', () => {
    expect(render('{{.installation.Name}}/{{.installation.ID}}/{{.organization.Address.City}} {{.organization.Address.ZIP}}')).toBe('Cabin/7/Lund 22100');
    expect(render('{{.payload.s}} {{.payload.obj.k}}')).toBe('hi v');
  });
  it('prints ints and float64 the way Go does', () => {
    expect(render('{{.installation.ClientID}} {{.payload.big}} {{.payload.value}} {{.payload.zero}}')).toBe('1234567 1.234567e+06 21.456 0');
    expect(render('{{1000000}} {{1e6}} {{0.00001}} {{123456.0}}')).toBe('1000000 1e+06 1e-05 123456');
  });
  it('prints containers and nil like fmt', () => {
    expect(render('{{.payload.list}} {{.payload.obj}} {{.payload.obj.n}}')).toBe('[a b c] map[k:v n:<nil>] <nil>');
  });
  it('prints <no value> for a missing payload key, and chains through it', () => {
    expect(render('[{{.payload.missing}}] [{{.payload.missing.deeper}}]')).toBe('[<no value>] [<no value>]');
  });
  it('refuses a field a Go struct does not have, naming the position', () => {
    expect(errorOf(() => render('x\n  {{.installation.Nope}}'))).toBe('template: line 2, column 5: can\'t evaluate field Nope in type lynx.InstallationInfo');
  });
  it('refuses a field on a string', () => {
    expect(errorOf(() => render('{{.payload.s.x}}'))).toContain("can't evaluate field x in type string");
  });
});

describe('trimming and comments', () => {
  it('trims white space around {{- and -}}', () => {
    expect(render('a  \n {{- .payload.s -}} \n  b')).toBe('ahib');
    expect(render('a {{- /* note */ -}} b')).toBe('ab');
    expect(render('a {{/* note */}} b')).toBe('a  b');
  });
  it('keeps a minus that is a number sign', () => {
    expect(render('{{-3}}')).toBe('-3');
  });
});

describe('control structures', () => {
  it('if / else if / else', () => {
    const t = '{{if gt .payload.value 30.0}}hot{{else if gt .payload.value 20}}warm{{else}}cold{{end}}';
    expect(render(t)).toBe('warm');
    expect(renderTemplate(t, { payload: { value: 35 } })).toBe('hot');
    expect(renderTemplate(t, { payload: { value: 1 } })).toBe('cold');
  });
  it('uses Go truth: empty string, 0, false, empty map and missing are false', () => {
    expect(render('{{if .payload.empty}}y{{else}}n{{end}}{{if .payload.zero}}y{{else}}n{{end}}{{if .payload.off}}y{{else}}n{{end}}{{if .payload.tags}}y{{else}}n{{end}}{{if .payload.nope}}y{{else}}n{{end}}{{if .payload.list}}y{{end}}')).toBe('nnnnny');
  });
  it('range over slices and maps (sorted keys), with variables and else', () => {
    expect(render('{{range .payload.list}}<{{.}}>{{end}}')).toBe('<a><b><c>');
    expect(render('{{range $i, $v := .payload.list}}{{$i}}={{$v}};{{end}}')).toBe('0=a;1=b;2=c;');
    expect(render('{{range $k, $v := .payload.obj}}{{$k}}:{{$v}} {{end}}')).toBe('k:v n:<nil> ');
    expect(render('{{range .payload.missing}}x{{else}}none{{end}}')).toBe('none');
    expect(render('{{range .payload.list}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}')).toBe('a');
    expect(render('{{range .payload.list}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}')).toBe('ac');
  });
  it('$ is the root inside range and with', () => {
    expect(render('{{range .payload.list}}{{$.installation.Name}}{{end}}')).toBe('CabinCabinCabin');
  });
  it('with sets dot, else when empty; else with chains', () => {
    expect(render('{{with .payload.obj}}{{.k}}{{end}}')).toBe('v');
    expect(render('{{with .payload.empty}}x{{else with .payload.s}}{{.}}!{{else}}z{{end}}')).toBe('hi!');
    expect(render('{{with .payload.nope}}x{{else}}z{{end}}')).toBe('z');
  });
  it('declares and assigns variables', () => {
    expect(render('{{$x := .payload.s}}{{$x}}{{$x = "yo"}}{{$x}}')).toBe('hiyo');
  });
});

describe('functions and pipelines', () => {
  it('pipes into printf as the last argument', () => {
    expect(render('{{.payload.value | printf "%.1f"}}')).toBe('21.5');
    expect(render('{{printf "%s=%d" "n" 42}}')).toBe('n=42');
    expect(render('{{printf "%5.2f|%-4s|%04d|%x|%q|%t|%v|%%" 3.14159 "ab" 7 255 "q" true .payload.list}}')).toBe(' 3.14|ab  |0007|ff|"q"|true|[a b c]|%');
  });
  it('prints fmt markers for wrong verbs and counts as Go does', () => {
    expect(render('{{printf "%d" .payload.value}}')).toBe('%!d(float64=21.456)');
    expect(render('{{printf "%d %d" 1}}')).toBe('1 %!d(MISSING)');
    expect(render('{{printf "%d" 1 2}}')).toBe('1%!(EXTRA int=2)');
  });
  it('%f rounds half to even on exact ties, like Go', () => {
    expect(render('{{printf "%.0f %.0f %.1f %.2f" 0.5 1.5 0.25 1.005}}')).toBe('0 2 0.2 1.00');
  });
  it('%g and %e', () => {
    expect(render('{{printf "%g %e %.3g %.2e" 100000000.0 1234.5678 3.14159 0.000123}}')).toBe('1e+08 1.234568e+03 3.14 1.23e-04');
  });
  it('comparisons: eq with several values, ne lt le gt ge; int and float compare by value', () => {
    expect(render('{{eq .payload.s "x" "hi"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt .payload.value 21}} {{ge 1.0 1}} {{lt "a" "b"}}')).toBe('true true true true true true true');
    expect(render('{{eq .payload.nope "x"}}')).toBe('false');
  });
  it('and / or return an operand and short-circuit; not', () => {
    expect(render('{{and .payload.s .payload.zero}} {{or .payload.empty .payload.s}} {{not .payload.on}} {{and 1 (index .payload.list 0)}}')).toBe('0 hi false a');
    // The right side would fail (index out of range) if evaluated.
    expect(render('{{or .payload.on (index .payload.list 9)}}')).toBe('true');
  });
  it('len counts UTF-8 bytes of strings, elements, keys; index reads slices and maps', () => {
    expect(renderTemplate('{{len .s}} {{len .l}} {{len .m}}', fromJson({ s: 'åa', l: [1, 2], m: { a: 1 } }))).toBe('3 2 1');
    expect(render('{{index .payload.list 1}} {{index .payload.obj "k"}} {{index .payload "s"}}')).toBe('b v hi');
    expect(errorOf(() => render('{{index .payload.list 5}}'))).toContain('index out of range: 5');
    expect(errorOf(() => render('{{len 3}}'))).toContain('len of type int');
  });
  it('parenthesized pipelines and print', () => {
    expect(render('{{print (len .payload.list) "x" 1 2}}')).toBe('3x1 2');
  });
});

describe('toTime and Format', () => {
  it('formats Unix seconds with Go layouts in the installation timezone', () => {
    expect(render('{{(toTime .payload.t).Format "2006-01-02 15:04:05"}}', 'Europe/Stockholm')).toBe('2023-11-14 23:13:20');
    expect(render('{{(toTime .payload.t).Format "2006-01-02 15:04:05 MST -0700"}}', 'UTC')).toBe('2023-11-14 22:13:20 UTC +0000');
    expect(render('{{with toTime .payload.t}}{{.Format "Monday, January 2 3:04PM"}}{{end}}', 'America/New_York')).toBe('Tuesday, November 14 5:13PM');
  });
  it('accepts numeric strings and fractions, and exposes Unix/Year/Month/Day', () => {
    expect(render('{{(toTime "1700000000.25").Format "05.000 .999"}}')).toBe('20.250 .25');
    expect(render('{{$t := toTime .payload.t}}{{$t.Year}} {{$t.Month}} {{$t.Day}} {{$t.Weekday}} {{$t.Unix}}', 'UTC')).toBe('2023 November 14 Tuesday 1700000000');
  });
  it('prints a time like Go when not formatted', () => {
    expect(render('{{toTime 0}}')).toBe('1970-01-01 00:00:00 +0000 UTC');
  });
  it('refuses non-numbers', () => {
    expect(errorOf(() => render('{{toTime .payload.s}}'))).toContain('toTime: expected Unix seconds');
  });
});

describe('compile errors name the position', () => {
  it.each([
    ['{{foo .x}}', 'template: line 1, column 3: function "foo" not defined'],
    ['ab\ncd {{if .x}}', 'template: line 2, column 6: unexpected EOF: {{if}} has no {{end}}'],
    ['{{.x', 'template: line 1, column 5: unclosed action'],
    ['{{end}}', 'template: line 1, column 3: unexpected {{end}}'],
    ['{{else}}', 'template: line 1, column 3: unexpected {{else}}'],
    ['{{"abc}}', 'template: line 1, column 3: unterminated quoted string'],
    ['{{$x}}', 'template: line 1, column 3: undefined variable "$x"'],
    ['{{template "x"}}', 'template: line 1, column 3: {{template}} is not supported in notification messages'],
    ['{{break}}', 'template: line 1, column 3: {{break}} outside {{range}}'],
    ['{{(.x}}', 'template: line 1, column 6: unclosed left paren'],
    ['{{if}}{{end}}', 'template: line 1, column 5: missing value for if'],
    ['{{.x | }}', 'template: line 1, column 8: missing value for command'],
    ['{{if .x}}{{else}}{{else}}{{end}}', 'template: line 1, column 20: expected {{end}}, found a second {{else}}'],
  ])('%s', (src, message) => {
    expect(errorOf(() => compileTemplate(src))).toBe(message);
  });
  it('a template without actions is plain text', () => {
    expect(render('just text { } }}')).toBe('just text { } }}');
  });
});
