"""The words a slip prints around the order's own text, in the customer's language: chosen by
the ship-to country (`language_for`), or fixed by the `slip_language` setting.

Warnings for the packer (no items, an incomplete address) stay in English: they are for the
station, not the customer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    packing_slip: str
    ship_to: str
    sender: str
    qty: str
    item: str
    price: str
    sku: str
    order_date: str
    ship_via: str
    items: str          # "Items: 12"
    in_lines: str       # " in {n} lines"
    total_items: str
    notes: str
    page: str           # "Page {page} of {pages}"
    continued: str
    note_continues: str  # "note continues on page {page}"
    subtotal: str
    shipping: str
    tax: str
    total: str
    weight: str
    phone: str
    email: str
    bin: str


LANGUAGES: dict[str, Words] = {
    "en": Words("PACKING SLIP", "SHIP TO", "FROM", "QTY", "ITEM", "PRICE", "SKU", "Order date",
                "Ship via", "Items", " in {n} lines", "Total items", "NOTES",
                "Page {page} of {pages}", "continued", "note continues on page {page}",
                "Subtotal", "Shipping", "Tax", "Total", "Weight", "Phone", "Email", "Bin"),
    "de": Words("LIEFERSCHEIN", "LIEFERADRESSE", "ABSENDER", "MENGE", "ARTIKEL", "PREIS",
                "Art.-Nr.", "Bestelldatum", "Versand", "Artikel", " in {n} Positionen",
                "Artikel gesamt", "HINWEISE", "Seite {page} von {pages}", "Fortsetzung",
                "Hinweis geht weiter auf Seite {page}", "Zwischensumme", "Versand", "Steuer",
                "Gesamt", "Gewicht", "Telefon", "E-Mail", "Lagerplatz"),
    "fr": Words("BON DE LIVRAISON", "LIVRER À", "EXPÉDITEUR", "QTÉ", "ARTICLE", "PRIX", "Réf.",
                "Date de commande", "Expédition", "Articles", " en {n} lignes",
                "Total articles", "REMARQUES", "Page {page} sur {pages}", "suite",
                "la remarque continue page {page}", "Sous-total", "Livraison", "Taxes",
                "Total", "Poids", "Téléphone", "E-mail", "Emplacement"),
    "es": Words("ALBARÁN", "ENVIAR A", "REMITENTE", "CANT.", "ARTÍCULO", "PRECIO", "Ref.",
                "Fecha del pedido", "Envío", "Artículos", " en {n} líneas",
                "Total de artículos", "NOTAS", "Página {page} de {pages}", "continuación",
                "la nota sigue en la página {page}", "Subtotal", "Envío", "Impuestos", "Total",
                "Peso", "Teléfono", "Correo", "Ubicación"),
    "it": Words("DOCUMENTO DI TRASPORTO", "DESTINATARIO", "MITTENTE", "QTÀ", "ARTICOLO",
                "PREZZO", "Cod.", "Data ordine", "Spedizione", "Articoli", " in {n} righe",
                "Totale articoli", "NOTE", "Pagina {page} di {pages}", "segue",
                "la nota continua a pagina {page}", "Subtotale", "Spedizione", "Tasse",
                "Totale", "Peso", "Telefono", "E-mail", "Ubicazione"),
    "nl": Words("PAKBON", "AFLEVERADRES", "AFZENDER", "AANT.", "ARTIKEL", "PRIJS", "Art.nr.",
                "Besteldatum", "Verzending", "Artikelen", " in {n} regels", "Totaal artikelen",
                "OPMERKINGEN", "Pagina {page} van {pages}", "vervolg",
                "opmerking gaat verder op pagina {page}", "Subtotaal", "Verzending", "Btw",
                "Totaal", "Gewicht", "Telefoon", "E-mail", "Locatie"),
    "pl": Words("LISTA PAKOWANIA", "ADRES DOSTAWY", "NADAWCA", "ILOŚĆ", "PRODUKT", "CENA",
                "Kod", "Data zamówienia", "Wysyłka", "Produkty", " w {n} pozycjach",
                "Razem produktów", "UWAGI", "Strona {page} z {pages}", "ciąg dalszy",
                "uwagi ciąg dalszy na stronie {page}", "Suma częściowa", "Wysyłka", "Podatek",
                "Razem", "Waga", "Telefon", "E-mail", "Lokalizacja"),
    "pt": Words("GUIA DE REMESSA", "ENVIAR PARA", "REMETENTE", "QTD.", "ARTIGO", "PREÇO",
                "Ref.", "Data da encomenda", "Envio", "Artigos", " em {n} linhas",
                "Total de artigos", "NOTAS", "Página {page} de {pages}", "continuação",
                "a nota continua na página {page}", "Subtotal", "Envio", "Impostos", "Total",
                "Peso", "Telefone", "E-mail", "Local"),
    "ja": Words("納品書", "お届け先", "差出人", "数量", "商品", "価格", "品番", "注文日",
                "配送方法", "点数", "（{n}行）", "合計点数", "備考", "{page} / {pages} ページ",
                "続き", "備考は{page}ページに続きます", "小計", "送料", "税", "合計", "重量",
                "電話", "メール", "棚番"),
    "zh": Words("装箱单", "收货地址", "发件人", "数量", "商品", "价格", "货号", "下单日期",
                "配送方式", "件数", "（共{n}行）", "商品总数", "备注",
                "第 {page} 页，共 {pages} 页", "续", "备注接第 {page} 页", "小计", "运费",
                "税费", "合计", "重量", "电话", "邮箱", "货位"),
}

_BY_COUNTRY = {
    **dict.fromkeys(("DE", "AT", "CH", "LI"), "de"),
    **dict.fromkeys(("FR", "MC", "LU"), "fr"),
    **dict.fromkeys(("ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO",
                     "HN", "PY", "SV", "NI", "CR", "PA", "UY"), "es"),
    **dict.fromkeys(("IT", "SM", "VA"), "it"),
    **dict.fromkeys(("NL", "BE", "SR"), "nl"),
    "PL": "pl",
    **dict.fromkeys(("PT", "BR", "AO", "MZ"), "pt"),
    "JP": "ja",
    **dict.fromkeys(("CN", "TW", "HK", "MO"), "zh"),
}


def language_for(country: str, setting: str = "auto") -> str:
    """The slip's language: the setting when it names one, else the ship-to country's."""
    if setting in LANGUAGES:
        return setting
    return _BY_COUNTRY.get((country or "").upper(), "en")


def words(language: str) -> Words:
    return LANGUAGES.get(language, LANGUAGES["en"])
