"""The command line's own words in the language of ``--lang``: one catalogue, English message in, its words out.

The reports have gettext catalogues (``reports/i18n.py``, ``report_templates/locale/``); the command line has
only a few dozen short lines of its own (progress, the summary at the end of a run, error and warning
prefixes), and it must not import the report stack (weasyprint) to print them, so they live here, in one
table. A message is its English text with ``{name}`` fields; ``say`` fills it in the language asked, and an
English one that the table lacks is shown as it is. What a message carries from the library (a file, line
and field, a validation message) is passed in as a field and keeps its form.
"""

from __future__ import annotations

from typing import Final

LANGS: Final = ("en", "zh")

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "error: {message}": "错误：{message}",
        "warning: reports: {message}": "警告：报告：{message}",
        "no such file or folder: {paths}": "没有这个文件或文件夹：{paths}",
        "no submission files (.json, .yaml, .yml, .xlsx, .bulk.csv) found in the inputs": (
            "输入中没有提交文件（.json、.yaml、.yml、.xlsx、.bulk.csv）"
        ),
        "error: the rubric cannot be used:\n{details}": "错误：考核细则无法使用：\n{details}",
        "error: the rubric cannot be used; nothing was written:\n{details}": (
            "错误：考核细则无法使用，未写入任何内容：\n{details}"
        ),
        "error: {message}; the output folder keeps its last whole run": (
            "错误：{message}；输出文件夹保留上一次完整运行的结果"
        ),
        "interrupted: nothing more was written; the output folder keeps its last whole run": (
            "已中断：未再写入任何内容，输出文件夹保留上一次完整运行的结果"
        ),
        "terminated: nothing more was written; the output folder keeps its last whole run": (
            "已终止：未再写入任何内容，输出文件夹保留上一次完整运行的结果"
        ),
        "read {inputs} files: {units} units scored, {rejected} inputs rejected": (
            "读取文件{inputs}个：评分单位{units}个，退回输入{rejected}个"
        ),
        "grades: {grades}; commended {commended}; vetoed {vetoed}": (
            "等次：{grades}；表彰{commended}个；一票否决{vetoed}个"
        ),
        "{grade} {count}": "{grade}{count}个",
        ", ": "，",
        "excellent": "优秀",
        "good": "良好",
        "qualified": "合格",
        "unqualified": "不合格",
        "results in {out}/ ({files})": "结果在{out}/（{files}）",
        "wrote {path}": "已写入{path}",
        "valid: {units} units; rejected: {rejected}": "有效单位{units}个；退回{rejected}个",
        "demo: {count} inputs are invalid on purpose ({problems} problems, in errors.json):": (
            "演示：有意设置的无效输入{count}个（问题{problems}个，见errors.json）："
        ),
        "demo: these examples should have scored: {sources}": "演示：以下示例本应评分：{sources}",
        "error: {path} exists and was not written by appraisal demo; choose another --out": (
            "错误：{path}已存在，且不是appraisal demo写入的；请另选--out"
        ),
        "scoring": "评分",
        "reports": "报告",
    }
}


def say(message: str, lang: str | None, /, **fields: object) -> str:
    """``message`` in ``lang`` (English when ``None`` or without a translation), its ``{fields}`` filled."""
    words = CATALOGUE.get(lang or "en", {}).get(message, message)
    return words.format(**fields) if fields else words
