"""Writes cases.json: expected prompts for the real-world templates in templates/.

The expected text is rendered by Python's jinja2 set up exactly as Hugging Face transformers sets it up in
apply_chat_template (transformers/utils/chat_template_utils.py: ImmutableSandboxedEnvironment with
trim_blocks/lstrip_blocks, loopcontrols, the AssistantTracker `generation` tag, and its own tojson,
raise_exception and strftime_now), and called as apply_chat_template calls it (messages, tools=None when absent,
documents=None, add_generation_prompt, the special tokens, extra kwargs). It is independent of Nuri's Java code.
Run: python3 make_cases.py  (needs jinja2 >= 3.1)
"""
import json
from datetime import datetime
from pathlib import Path

import jinja2
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = Path(__file__).parent
NOW = datetime(2025, 3, 7, 9, 30, 0)  # the tests pin strftime_now's clock to this instant (UTC)


class AssistantTracker(Extension):
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def hf_environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "현재 날씨를 알려준다 (current weather)",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. \"Seoul\""},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7.5},
            },
            "required": ["city"],
        },
        "return": {"type": "number"},
    },
}
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "description": "Current time", "parameters": {
    "type": "object", "properties": {}}}}


def call(name, arguments, id=None):
    c = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if id is not None:
        c["id"] = id
    return c


SYS = {"role": "system", "content": "You are a careful assistant.\n"}
U1 = {"role": "user", "content": "  안녕? What is RAG?  "}
A1 = {"role": "assistant", "content": "Retrieval-augmented generation:\n\tretrieve, then generate."}
U2 = {"role": "user", "content": "Thanks! And \"quotes\" & <tags>?"}

CASES = [
    dict(name="chatml multi-turn", template="chatml.jinja", messages=[SYS, U1, A1, U2], add_generation_prompt=True),
    dict(name="chatml no generation prompt", template="chatml.jinja", messages=[U1, A1], add_generation_prompt=False),
    dict(name="llama 3.1 system+user", template="llama-3.1-instruct.jinja", messages=[SYS, U1],
         add_generation_prompt=True),
    dict(name="llama 3.1 tools, tool call and tool result", template="llama-3.1-instruct.jinja",
         messages=[SYS, {"role": "user", "content": "Weather in Seoul?"},
                   {"role": "assistant", "content": "", "tool_calls": [call("get_weather", {"city": "Seoul", "days": 2})]},
                   {"role": "tool", "content": "{\"temp\": 21.5}", "tool_call_id": "c1"}],
         tools=[WEATHER_TOOL], add_generation_prompt=True),
    dict(name="llama 3.1 two tool calls is refused", template="llama-3.1-instruct.jinja",
         messages=[{"role": "user", "content": "x"},
                   {"role": "assistant", "content": "", "tool_calls": [call("a", {}), call("b", {})]}],
         add_generation_prompt=True),
    dict(name="llama 3.2 strftime_now date", template="llama-3.2-instruct.jinja", messages=[U1, A1, U2],
         add_generation_prompt=True),
    dict(name="llama 3.2 date_string variable", template="llama-3.2-instruct.jinja", messages=[SYS, U1],
         add_generation_prompt=False, variables={"date_string": "01 Jan 2030"}),
    dict(name="qwen2.5 default system prompt", template="qwen2.5-instruct.jinja", messages=[U1, A1, U2],
         add_generation_prompt=True),
    dict(name="qwen2.5 tools and parallel tool results", template="qwen2.5-instruct.jinja",
         messages=[SYS, {"role": "user", "content": "Weather and time in Seoul?"},
                   {"role": "assistant", "content": None,
                    "tool_calls": [call("get_weather", {"city": "Seoul"}), call("get_time", {})]},
                   {"role": "tool", "content": "21.5", "tool_call_id": "c1"},
                   {"role": "tool", "content": "09:30", "tool_call_id": "c2"},
                   {"role": "assistant", "content": "It is 21.5 °C at 09:30."}],
         tools=[WEATHER_TOOL, TIME_TOOL], add_generation_prompt=True),
    dict(name="qwen3 enable_thinking false", template="qwen3.jinja", messages=[SYS, U1],
         add_generation_prompt=True, variables={"enable_thinking": False}),
    dict(name="qwen3 enable_thinking true", template="qwen3.jinja", messages=[U1],
         add_generation_prompt=True, variables={"enable_thinking": True}),
    dict(name="qwen3 thinking history, tools, tool responses", template="qwen3.jinja",
         messages=[SYS, {"role": "user", "content": "Weather in Seoul?"},
                   {"role": "assistant", "content": "<think>\nNeed the tool.\n</think>\n\nLet me check.",
                    "tool_calls": [call("get_weather", {"city": "Seoul", "unit": "celsius"})]},
                   {"role": "tool", "content": "21.5", "tool_call_id": "c1"},
                   {"role": "assistant", "content": "<think>\nGot it.\n</think>\n\nIt is 21.5 °C."},
                   {"role": "user", "content": "<tool_response>not a tool</tool_response>"},
                   {"role": "assistant", "content": "<think>old</think>Noted."},
                   {"role": "user", "content": "Bye"}],
         tools=[WEATHER_TOOL], add_generation_prompt=True),
    dict(name="qwen3 reasoning_content field", template="qwen3.jinja",
         messages=[{"role": "user", "content": "2+2?"},
                   {"role": "assistant", "content": "4", "reasoning_content": "\nsimple\n"}],
         add_generation_prompt=False),
    dict(name="mistral v0.1 multi-turn", template="mistral-7b-instruct-v0.1.jinja", messages=[U1, A1, U2],
         add_generation_prompt=True),
    dict(name="mistral v0.1 refuses a system message", template="mistral-7b-instruct-v0.1.jinja",
         messages=[SYS, U1], add_generation_prompt=True),
    dict(name="mistral nemo tools, calls and results", template="mistral-nemo-instruct-2407.jinja",
         messages=[SYS, {"role": "user", "content": "Weather in Seoul?"},
                   {"role": "assistant", "tool_calls": [call("get_weather", {"city": "Seoul"}, id="abc123xyz")]},
                   {"role": "tool", "content": "21.5", "tool_call_id": "abc123xyz"},
                   {"role": "assistant", "content": "21.5 degrees."},
                   {"role": "user", "content": "Thanks"}],
         tools=[WEATHER_TOOL, TIME_TOOL], add_generation_prompt=True),
    dict(name="mistral nemo bad tool call id", template="mistral-nemo-instruct-2407.jinja",
         messages=[{"role": "user", "content": "x"},
                   {"role": "assistant", "tool_calls": [call("get_time", {}, id="short")]}],
         add_generation_prompt=True),
    dict(name="gemma 2 multi-turn", template="gemma-2-it.jinja", messages=[U1, A1, U2], add_generation_prompt=True),
    dict(name="gemma 2 refuses a system message", template="gemma-2-it.jinja", messages=[SYS, U1],
         add_generation_prompt=True),
    dict(name="gemma 3 system and content parts", template="gemma-3-it.jinja",
         messages=[{"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
                   {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "  Describe this.  "}]},
                   {"role": "assistant", "content": "A cat."}, U2],
         add_generation_prompt=True),
    dict(name="gemma 3 roles must alternate", template="gemma-3-it.jinja", messages=[U1, U2],
         add_generation_prompt=True),
    dict(name="phi 3.5 generation prompt", template="phi-3.5-mini-instruct.jinja", messages=[SYS, U1],
         add_generation_prompt=True),
    dict(name="phi 3.5 without generation prompt ends with eos", template="phi-3.5-mini-instruct.jinja",
         messages=[{"role": "system", "content": ""}, U1, A1], add_generation_prompt=False),
    dict(name="phi 4", template="phi-4.jinja", messages=[SYS, U1, A1, U2], add_generation_prompt=True),
    dict(name="deepseek r1 distill think stripping", template="deepseek-r1-distill-qwen.jinja",
         messages=[SYS, U1, {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nRAG is retrieval."}, U2],
         add_generation_prompt=True),
    dict(name="deepseek r1 distill tool calls and outputs", template="deepseek-r1-distill-qwen.jinja",
         messages=[{"role": "user", "content": "Weather?"},
                   {"role": "assistant", "content": None,
                    "tool_calls": [call("get_weather", "{\"city\": \"Seoul\"}"), call("get_time", "{}")]},
                   {"role": "tool", "content": "21.5"}, {"role": "tool", "content": "09:30"},
                   {"role": "assistant", "content": "Done."}],
         add_generation_prompt=True),
]

# Jinja features and Python methods that real templates use, one small template each ("template_text").
SNIPPETS = [
    ("str strip family", "{{ '  x y \\n'.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '\\n\\nA\\n'.lstrip('\\n') }}|{{ 'a \\t'.rstrip() }}|{{ '\u00a0nbsp\u00a0'.strip() }}|{{ '  t  ' | trim }}"),
    ("str split", "{{ 'a,b,,c'.split(',') }}|{{ ' a  b \\n'.split() | length }}|{{ 'a b c'.split(' ', 1) }}|{{ 'x</think>y</think>z'.split('</think>')[-1] }}|{{ 'k=v=w'.rsplit('=', 1)[0] }}"),
    ("str predicates and case", "{% if 'Hello'.startswith('He') %}S{% endif %}{% if 'Hello'.endswith(('x', 'lo')) %}E{% endif %}|{{ 'hello wORLD-x'.title() }}|{{ 'abc'.upper() }}{{ 'ABC'.lower() }}|{{ 'hello'.capitalize() }}|{{ 'hello'.replace('l', 'L', 1) }}|{{ 'banana'.count('a') }}|{{ 'banana'.find('n') }}|{{ '-'.join(['a', 'b']) }}"),
    ("str format", "{{ '{} + {} = {total}'.format(1, 2, total=3) }}|{{ '{0}{1}{0}'.format('a', 'b') }}"),
    ("dict methods", "{% set d = {'b': 1, 'a': [2, 3]} %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{{ d.get('a') }}|{{ d.get('zz', 'dflt') }}|{% if d.get('zz') is none %}none{% endif %}|{{ d.keys() | list | length }}|{% for k in d %}{{ k }}{% endfor %}|{{ d | items | list | length }}"),
    ("slices", "{{ messages[1:] | length }}|{{ 'abcdef'[1:-1] }}|{{ [1, 2, 3][::-1] }}|{{ 'abc'[::-1] }}|{{ messages[-1].content }}|{% for m in messages[::-1] %}{{ m.role[0] }}{% endfor %}"),
    ("loop variables and controls", "{% for x in [10, 20, 30, 40, 50] %}{% if x == 20 %}{% continue %}{% endif %}{% if x == 50 %}{% break %}{% endif %}{{ loop.index0 }}{{ loop.index }}{{ loop.revindex }}/{{ loop.length }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %},{% endfor %}"),
    ("loop previtem and nextitem", "{% for m in messages %}{% if loop.previtem %}{{ loop.previtem.role }}>{% endif %}{{ m.role }}{% if loop.nextitem %}>{{ loop.nextitem.role }}{% endif %}{% for c in m.content %}({{ loop.previtem }}{{ c }}){% endfor %};{% endfor %}"),
    ("for with if filter", "{% for x in [1, 2, 3, 4, 5] if x is odd %}{{ loop.index }}:{{ x }}{% if not loop.last %},{% endif %}{% endfor %}|{% for k, v in {'a': 1, 'return': 2, 'c': 3}.items() if k != 'return' %}{{ k }}{% if not loop.last %}+{% endif %}{% endfor %}"),
    ("namespace", "{% set ns = namespace(n=0, seen=false, idx=messages|length - 1) %}{% for m in messages %}{% set ns.n = ns.n + loop.index %}{% if m.role == 'user' %}{% set ns.seen = true %}{% endif %}{% endfor %}{{ ns.n }}{% if ns.seen %}S{% endif %}{{ ns.idx }}"),
    ("tests", "{% if 'x' is string %}S{% endif %}{% if {} is mapping %}M{% endif %}{% if 'x' is iterable %}I{% endif %}{% if [1] is iterable %}L{% endif %}{% if 1 is iterable %}X{% endif %}{% if none is none %}N{% endif %}{% if nothing is defined %}D{% endif %}{% if nothing is undefined %}U{% endif %}{% if 'x' is sequence %}Q{% endif %}{% if false is false %}F{% endif %}{% if 0 is false %}Z{% endif %}{% if 3 is odd %}O{% endif %}{% if 1 is number %}#{% endif %}"),
    ("not precedence", "{% if not messages|length == 5 %}A{% endif %}{% if not 1 == 1 and true %}B{% endif %}{% if not (1 == 2) %}C{% endif %}{% if 'q' not in 'abc' %}D{% endif %}{% if messages is not none %}E{% endif %}"),
    ("tojson", "{{ {'a': 1.0, 'b': [1e-05, 1e16, 0.1, 123456789012, true, none], 'c': '\u00e9\\n\\t\\\"<&>', 'd': {}, 'e': []} | tojson }}|{{ {'z': 1, 'a': {'y': [1, 2]} } | tojson(indent=2) }}|{{ {'z': 1, 'a': 2} | tojson(sort_keys=true) }}|{{ [1, {'a': 'b'}] | tojson(separators=(',', ':')) }}|{{ '\u00e9' | tojson(ensure_ascii=true) }}|{{ 'text' | tojson }}"),
    ("concatenation", "{{ 'a' + 'b' ~ 1 ~ 'c' }}|{{ 'x' ~ 2.5 }}|{{ 'p' + messages[0].content | upper + 's' }}|{{ [1] + [2] }}"),
    ("whitespace control", "A  {%- if true -%}  B  {%- endif %}  C\n  {% if true %}\nD\n  {% endif %}\nE {{- ' F ' -}} G\n{# note #}\nH"),
    ("filters", "{{ messages | selectattr('role', 'equalto', 'user') | list | length }}|{{ messages | map(attribute='role') | join(', ') }}|{{ ['b', 'a'] | sort | join }}|{{ 'abc' | length }}|{{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='content') | first }}|{{ [3, 1, 2] | max }}|{{ 'x' | string }}{{ 5 | string }}"),
    ("conditional expression and arithmetic", "{{ 'y' if messages else 'n' }}|{{ 7 // 2 }}|{{ 7 % 3 }}|{{ 2 ** 10 }}|{{ (messages | length - 1) * 3 }}|{{ 10 - 2 - 3 }}"),
    ("printing Python values", "{{ true }}|{{ [1, true, none, 'a', 2.5] }}|{{ {'a': false, 'b': {'c': 'd'} } }}|{{ 4 / 2 }}|{{ 1e-5 }}|{{ 'x' in 'xy' }}|{{ messages[0] }}|{{ undefined_thing }}"),
    ("macros, set blocks, filter blocks", "{% macro render(m, prefix='> ') %}{{ prefix }}{{ m }}{% endmacro %}{{ render('a') }}{{ render('b', prefix='# ') }}|{% set x %}block {{ 1 }}{% endset %}[{{ x }}]|{% filter replace('a', 'b') | upper %}aaa {{ 1 }}{% endfilter %}"),
    ("more filters", "{{ [1, 2, 3] | sum }}|{{ [1, 2.5] | sum }}|{{ [{'a': 2}, {'a': 3}] | sum(attribute='a') }}|{{ x | default('d') }}|{{ '' | default('e', true) }}|{{ 'Hi %s' | format('x') }}|{{ messages | map(attribute='role') | list }}|{{ [1, 1, 2] | unique | list }}|{{ 2.5 | int }}|{{ '3' | int + 1 }}|{{ 3 | float }}|{{ messages | selectattr('content', 'string') | list | length }}|{{ messages[1].content | replace('i', 'I') }}"),
    ("more expressions", "{% for m in messages %}{{ loop.cycle('odd', 'even') }}{% endfor %}|{{ messages | length > 1 }}|{{ 'abc' in ['abc'] }}{{ {'a': 1}['a'] }}|{{ messages[1:2][0].role }}|{{ messages[:1] | length }}|{{ messages[-2:] | length }}|{{ 10 / 4 }}|{{ -7 // 2 }}|{% set a = [1, 2] %}{% set b = a + [3] %}{{ b }}{{ a }}|{{ 'a' if x is defined and x else 'b' }}|{{ 1 if true }}"),
    ("generation tag", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}[{{ m.content }}]{% endgeneration %}{% else %}{{ m.content }}{% endif %}{% endfor %}"),
    ("strftime_now", "{{ strftime_now('%A %d %B %Y %H:%M:%S %j %b %a %y %m %I%p %%') }}|{% if strftime_now is defined %}defined{% endif %}"),
    ("raise_exception", "{% if messages | length > 1 %}{{ raise_exception('Too many messages: ' ~ messages | length) }}{% endif %}never"),
]

SPECIAL_TOKENS = {
    "chatml.jinja": {"eos_token": "<|im_end|>"},
    "llama-3.1-instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "llama-3.2-instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "qwen2.5-instruct.jinja": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "qwen3.jinja": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "mistral-7b-instruct-v0.1.jinja": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "mistral-nemo-instruct-2407.jinja": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "gemma-2-it.jinja": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
    "gemma-3-it.jinja": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
    "phi-3.5-mini-instruct.jinja": {"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>"},
    "phi-4.jinja": {"bos_token": "<|endoftext|>", "eos_token": "<|im_end|>"},
    "deepseek-r1-distill-qwen.jinja": {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"},
}


def main():
    env = hf_environment()
    out = []
    snippet_messages = [{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"},
                        {"role": "assistant", "content": "yo"}]
    for name, text in SNIPPETS:
        CASES.append(dict(name="jinja: " + name, template_text=text, messages=snippet_messages,
                          add_generation_prompt=True))
    for case in CASES:
        text = case.get("template_text") or (HERE / "templates" / case["template"]).read_text(encoding="utf-8")
        template = env.from_string(text)
        tokens = SPECIAL_TOKENS.get(case.get("template"), {"bos_token": "<s>", "eos_token": "</s>"})
        record = dict(case, special_tokens=tokens)
        record.setdefault("tools", None)
        record.setdefault("variables", {})
        try:
            record["expected"] = template.render(messages=case["messages"], tools=case.get("tools"), documents=None,
                                                 add_generation_prompt=case["add_generation_prompt"],
                                                 **tokens, **case.get("variables", {}))
        except jinja2.exceptions.TemplateError as e:
            record["expected_error"] = str(e)
        out.append(record)
    (HERE / "cases.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(out)} cases")


if __name__ == "__main__":
    main()
