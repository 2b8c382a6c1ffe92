"""Reading the platform's PDFs in tests (pypdf): whether every font is embedded, and the text."""
import io

import pypdf


def _descriptors(font):
    descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
    return [d["/FontDescriptor"].get_object() if "/FontDescriptor" in d else None for d in descendants]


def fonts(data: bytes) -> list[tuple[str, bool]]:
    """(base font name, whether its font program is embedded as TrueType (FontFile2)) of every font used."""
    found = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            found.append((str(font["/BaseFont"]),
                          all(d is not None and "/FontFile2" in d for d in _descriptors(font))))
    return found


def text(data: bytes) -> str:
    """The extracted text of every page, without line breaks."""
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\n", "")
