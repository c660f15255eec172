"""Carriers: codes and names, waybill-number detection, rate cards, choice rules, accounts and adapters.

The pure modules (no Django; HOUSE.md habit 2) are imported by name, so importing this package stays
cheap for the Django app (apps.py, models.py):

    catalog    the carriers (data/carriers.toml), carrier_from_text("中通快递") → "ZTO"
    detect     detect(number, prior) → ranked candidates from data/patterns.toml; matches(code, number)
    provinces  the 34 province-level names, short forms, groups (偏远地区, 江浙沪 …)
    rates      rate cards (首重 + 续重), quote(), crosses_step(), parse_rate_card_csv()
    choice     the seller's rules in plain words: parse_rules(), recommend()
"""
