from .clients import Client, ClientCooperative, ClientUser

__all__ = ["Client", "ClientCooperative", "ClientUser"]
