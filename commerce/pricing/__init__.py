"""Pricing: catalog, cart, tax, promotions, stacking and quotes, on miniKanren relations.

Pure and deterministic: nothing here touches a store, a flow or a clock of its own. The
public names are re-exported by the `commerce` package.
"""
