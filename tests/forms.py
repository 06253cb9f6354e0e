"""Reading a back-office form the way a browser submits it."""

import re

_INPUT = re.compile(r"<input\b[^>]*>")


def form_fields(html):
    """The name -> value pairs a browser would send back for the page's main form."""
    data = {}
    for tag in _INPUT.findall(html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "y"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = _unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = _unescape(body.strip())
    for tag, body in re.findall(r"(<select[^>]*>)(.*?)</select>", html, re.S):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        values = [
            _unescape(re.search(r'value="([^"]*)"', option).group(1))
            for option in re.findall(r"<option\b[^>]*>", body)
            if "selected" in option
        ]
        data[name] = values if "multiple" in tag else (values[0] if values else "")
    return data


def _unescape(text):
    import html

    return html.unescape(text)
