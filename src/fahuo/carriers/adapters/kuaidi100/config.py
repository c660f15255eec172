"""快递100 settings, read from the environment (FAHUO_KUAIDI100_*). Pure Python: no Django.

    FAHUO_KUAIDI100_KEY             授权 key (required)
    FAHUO_KUAIDI100_SECRET          授权 secret, signs every request (required)
    FAHUO_KUAIDI100_PARTNER_ID      电子面单账号 / 月结号, used when the seller's carrier account has none
    FAHUO_KUAIDI100_PARTNER_KEY     电子面单密码          (whether each carrier needs these is in 快递100's
    FAHUO_KUAIDI100_PARTNER_SECRET  电子面单密钥           参数字典; empty ones are left out of the request)
    FAHUO_KUAIDI100_PARTNER_NAME    电子面单客户账户名称
    FAHUO_KUAIDI100_NET             网点名称, or an authorisation channel such as `taobao` / `cainiao`
    FAHUO_KUAIDI100_CODE            电子面单承载编号
    FAHUO_KUAIDI100_TEMPLATE        tempId, the 快递100 label template (only needed when printType is not NON)
    FAHUO_KUAIDI100_PRINT_TYPE      NON (default: take a number only; fahuo prints its own labels), IMAGE, HTML
    FAHUO_KUAIDI100_PAY_TYPE        SHIPPER (default), CONSIGNEE, MONTHLY, THIRDPARTY
    FAHUO_KUAIDI100_EXP_TYPE        product, e.g. 标准快递 (left out when empty: the carrier's default)
    FAHUO_KUAIDI100_URL             default https://api.kuaidi100.com/label/order
    FAHUO_KUAIDI100_TIMEOUT         seconds, default 15
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from fahuo.carriers.adapters.base import AdapterError

DEFAULT_URL = "https://api.kuaidi100.com/label/order"
PREFIX = "FAHUO_KUAIDI100_"


@dataclass(frozen=True)
class Kuaidi100Config:
    key: str = ""
    secret: str = ""
    partner_id: str = ""
    partner_key: str = ""
    partner_secret: str = ""
    partner_name: str = ""
    net: str = ""
    code: str = ""
    template: str = ""
    print_type: str = "NON"
    pay_type: str = "SHIPPER"
    exp_type: str = ""
    url: str = DEFAULT_URL
    timeout: float = 15.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Kuaidi100Config:
        env = os.environ if environ is None else environ

        def get(name: str, default: str = "") -> str:
            return (env.get(PREFIX + name) or default).strip()

        try:
            timeout = float(get("TIMEOUT", "15"))
        except ValueError:
            raise AdapterError(f"{PREFIX}TIMEOUT 不是数字 (not a number)", code="not_configured")
        return cls(
            key=get("KEY"),
            secret=get("SECRET"),
            partner_id=get("PARTNER_ID"),
            partner_key=get("PARTNER_KEY"),
            partner_secret=get("PARTNER_SECRET"),
            partner_name=get("PARTNER_NAME"),
            net=get("NET"),
            code=get("CODE"),
            template=get("TEMPLATE"),
            print_type=get("PRINT_TYPE", "NON").upper(),
            pay_type=get("PAY_TYPE", "SHIPPER").upper(),
            exp_type=get("EXP_TYPE"),
            url=get("URL", DEFAULT_URL),
            timeout=timeout,
        )

    def missing(self) -> list[str]:
        """Names of the required environment variables that are empty."""
        return [PREFIX + name for name, value in (("KEY", self.key), ("SECRET", self.secret)) if not value]

    def require(self) -> Kuaidi100Config:
        """Self, or AdapterError `not_configured` naming what is missing (never the values)."""
        missing = self.missing()
        if missing:
            raise AdapterError(
                f"快递100 接口未配置：缺少 {', '.join(missing)} (kuaidi100 adapter not configured: set {', '.join(missing)})",
                code="not_configured",
            )
        return self
