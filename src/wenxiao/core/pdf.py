"""HTML → PDF with WeasyPrint, loading nothing from outside (intranet-ready): the one place every report uses."""

from __future__ import annotations

import logging

from wenxiao.core.errors import ServiceError

log = logging.getLogger(__name__)


class ReportUnavailable(ServiceError):
    """The PDF cannot be produced on this server (WeasyPrint or its system libraries): the view answers 503."""

    status = 503


def _no_fetch(url):
    raise ValueError(f"不加载外部资源：{url}")


def html_to_pdf(html: str, what: str = "报告") -> bytes:
    """Render `html` (images inline as data: URLs) to PDF; ReportUnavailable when it cannot be done here."""
    try:
        import weasyprint
    except (ImportError, OSError) as e:  # the package, or the Pango library it loads, is missing
        log.warning("WeasyPrint cannot be loaded; %s PDF unavailable", what, exc_info=True)
        raise ReportUnavailable(
            "服务器无法生成 PDF：需要安装 WeasyPrint 及系统组件 Pango"
            "（Debian/Ubuntu：apt-get install libpango-1.0-0 libpangoft2-1.0-0）和中文字体，请下载 Word 版"
        ) from e
    try:
        from weasyprint.urls import URLFetcher

        fetcher = URLFetcher(allowed_protocols={"data"})
    except (ImportError, TypeError):  # older WeasyPrint: a plain function
        fetcher = _no_fetch
    try:
        return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    except Exception as e:  # a broken font or library must not take the page down
        log.exception("PDF rendering failed: %s", what)
        raise ReportUnavailable("生成 PDF 时出错，请稍后重试或下载 Word 版") from e
