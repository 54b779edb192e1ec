"""Lets a Robot suite say ``Library    Seamline``: Robot imports this module and uses its
class of the same name."""

from seamline.robot import Seamline

__all__ = ["Seamline"]
